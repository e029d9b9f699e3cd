from django.apps import AppConfig


class PixdeployConfig(AppConfig):
    name = "pixdeploy"
    verbose_name = "pixdeploy"

    def ready(self):
        from . import checks  # noqa: F401 — registers the system checks
