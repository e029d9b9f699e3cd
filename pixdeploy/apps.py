from django.apps import AppConfig


class PixdeployConfig(AppConfig):
    name = "pixdeploy"
    verbose_name = "pixdeploy"
