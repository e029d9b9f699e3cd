from django.apps import AppConfig


class CertifConfig(AppConfig):
    name = "certif"
    verbose_name = "Certification"
