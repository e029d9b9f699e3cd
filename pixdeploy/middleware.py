"""Middlewares of the whole site: the health check answered before the host is checked, and the
Content-Security-Policy header."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from orga.pupils.ent import ent_origins

HEALTH_PATH = "/sante/"


class HealthCheckMiddleware:
    """`/sante/` answers "ok" whatever the `Host` (the container's check calls http://127.0.0.1:8000/sante/).

    First in MIDDLEWARE: before SecurityMiddleware (no HTTPS redirect) and CommonMiddleware (no host check),
    so that ALLOWED_HOSTS holds the site's names only. It reads nothing from the request but its path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY (set in production) with every page.

    PDFs are left without it: the browser's own viewer shows them, and a policy can only get in its way.
    On the pages with an ENT button, form-action also allows the ENT's origins: the button posts to pixdeploy, which
    redirects to the ENT's sign-in page, and browsers apply form-action to that redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and not response.get("Content-Type", "").startswith("application/pdf"):
            response.setdefault("Content-Security-Policy", _with_ent_origins(policy, request.path))
        return response


def _with_ent_origins(policy, path):
    ent_pages = (reverse("account_login"), reverse("socialaccount_connections"))
    if FORM_ACTION not in policy or not (path in ent_pages or path.startswith(_oidc_prefix())):
        return policy
    origins = ent_origins()
    return policy.replace(FORM_ACTION, " ".join([FORM_ACTION, *origins]), 1) if origins else policy


FORM_ACTION = "form-action 'self'"


def _oidc_prefix():
    return reverse("openid_connect_login", kwargs={"provider_id": "x"}).removesuffix("x/login/")
