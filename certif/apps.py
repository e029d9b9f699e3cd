from django.apps import AppConfig


class CertifConfig(AppConfig):
    name = "certif"
    verbose_name = "Certification"

    def ready(self):
        # Services queue tasks by name (jobs.queue): the web process must know them as a worker does.
        from . import tasks  # noqa: F401
