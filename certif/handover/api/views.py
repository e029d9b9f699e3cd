"""The livret scolaire's two calls: the token (OAuth2 client credentials) and a school's certifications.

No user session ever authorises them: only the bearer token counts, and a form post needs no CSRF token since no
cookie is read."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.client_address import client_address
from accounts.rate_limits import count_failure, is_over
from crcn.models import Competence
from orga.audit.services import Action, record
from orga.schools.models import current_school_year

from ..models import CERTIFICATIONS_SCOPE, ApiClient, HandOver
from . import bodies, certifications, clients, tokens
from .openapi import DOCUMENT

FORM = "application/x-www-form-urlencoded"
THROTTLE_WINDOW_SECONDS = 600
MAX_FAILURES_PER_ADDRESS = 20


def _limits(request):
    return [(f"certif-api-token:ip:{client_address(request)}", MAX_FAILURES_PER_ADDRESS)]


def _unauthorized_client():
    return bodies.error(401, "Unauthorized", "The client ID and/or secret are invalid.")


@csrf_exempt
@require_POST
def token(request):
    limits = _limits(request)
    if is_over(limits):
        return bodies.error(429, "Too Many Requests", "Too many failed attempts, try again later.")
    if request.content_type != FORM:
        return bodies.error(415, "Unsupported Media Type", f"The request body must be {FORM}.")
    form = request.POST
    if form.get("grant_type") != "client_credentials":
        return bodies.error(400, "Bad Request", '"grant_type" must be [client_credentials]')
    for field in ("client_id", "client_secret", "scope"):
        if not form.get(field, "").strip():
            return bodies.error(400, "Bad Request", f'"{field}" is required')
    client = clients.authenticate(form["client_id"], form["client_secret"])
    if client is None:
        count_failure(limits, THROTTLE_WINDOW_SECONDS)
        return _unauthorized_client()
    scopes = form["scope"].split()
    if any(scope not in client.scope_list for scope in scopes):
        return bodies.error(403, "Forbidden", "The scope is not allowed.")
    response = JsonResponse(
        {"token_type": "bearer", "access_token": tokens.issue(client, scopes), "client_id": client.client_id}
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@require_GET
def organization_certifications(request, uai):
    payload = tokens.read(tokens.bearer(request) or "")
    client = ApiClient.objects.filter(client_id=payload["client_id"], is_active=True).first() if payload else None
    if client is None:
        return bodies.error(
            401, "Unauthorized access", "Missing or invalid access token in request authorization headers."
        )
    if CERTIFICATIONS_SCOPE not in payload["scopes"]:
        return bodies.error(403, "Forbidden access", "Missing or insufficient permissions.")
    school = certifications.school_for(uai)
    rows = certifications.latest_certifications(school)
    competences = sorted(Competence.objects.select_related("domain"), key=lambda competence: competence.code)
    if school is not None:
        HandOver.objects.create(
            school=school,
            kind=HandOver.Kind.API_PULL,
            school_year=current_school_year(),
            client=client,
            certifications=len(rows),
        )
        record(
            f"Client de l'API « {client.name} »",
            school,
            Action.API_PULL,
            (client._meta.verbose_name, client.pk, str(client)),
            f"{len(rows)} certification(s) lue(s) par le livret scolaire",
            address=client_address(request),
        )
    return JsonResponse(bodies.certifications_results(rows, competences))


@require_GET
def openapi(request):
    return JsonResponse(DOCUMENT)
