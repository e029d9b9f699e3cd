"""System checks of the project, run by `manage.py check` (those tagged deploy: `check --deploy` only)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@register("pixdeploy", deploy=True)
def check_site_url(app_configs, **kwargs):
    """In production, links in e-mails sent outside a request (invitations) are built on SITE_URL."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    url = urlsplit(settings.SITE_URL)
    if url.scheme not in ("http", "https") or not url.hostname:
        problem = "n'est pas une adresse complète (https://…)"
    elif url.hostname in LOCAL_HOSTS:
        problem = "est une adresse locale"
    else:
        return []
    return [
        Warning(
            f"SITE_URL « {settings.SITE_URL} » {problem} : les liens des courriels envoyés par les commandes et les "
            "tâches de fond (invitations) ne mèneraient pas au site.",
            hint="Définissez SITE_URL avec l'adresse publique du site, ex. SITE_URL=https://pix.mon-lycee.fr.",
            id="pixdeploy.W001",
        )
    ]
