from django.apps import AppConfig


class OrgaConfig(AppConfig):
    name = "orga"
    verbose_name = "Établissements"

    def ready(self):
        # Services queue tasks by name (jobs.queue): the web process must know them as a worker does.
        from . import tasks  # noqa: F401
        from .audit import receivers  # noqa: F401  (the sign-in lockouts, told by accounts)
