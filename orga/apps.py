from django.apps import AppConfig
from django.db.backends.signals import connection_created


class OrgaConfig(AppConfig):
    name = "orga"
    verbose_name = "Établissements"

    def ready(self):
        # Services queue tasks by name (jobs.queue): the web process must know them as a worker does.
        from . import tasks  # noqa: F401
        from .audit import receivers  # noqa: F401  (the sign-in lockouts, told by accounts)
        from .pupils.folding import register_on_sqlite

        connection_created.connect(register_on_sqlite, dispatch_uid="pixdeploy_folded_name")
