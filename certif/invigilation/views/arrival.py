"""The candidate's arrival on the day: the session's access code, their identity, then waiting for the
invigilator."""

import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from certif.sessions.models import Candidate

from .. import services, throttle


def pupil_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pupil = getattr(request.user, "pupil", None)
        if pupil is None:
            raise PermissionDenied
        return view(request, pupil, *args, **kwargs)

    return wrapper


def throttled(request):
    return render(request, "certif/invigilation/throttled.html", {"page_title": "Trop d'essais"}, status=429)


def _own_candidacy(pupil, candidate_id):
    return get_object_or_404(
        Candidate.objects.select_related("session"), id=candidate_id, pupil=pupil, session__status="created"
    )


@pupil_required
def enter_access_code(request, pupil):
    error = ""
    code = ""
    if request.method == "POST":
        limits = throttle.arrival_limits(request)
        if throttle.is_throttled(limits):
            return throttled(request)
        code = services.normalize_typed_code(request.POST.get("code"))
        candidate = services.candidacy_for(pupil, code)
        if candidate is not None:
            return redirect("certif:arrival_identity", candidate_id=candidate.id)
        throttle.record_failure(limits)
        error = services.WRONG_CODE if code else "Saisissez le code d'accès donné par le surveillant."
    return render(
        request,
        "certif/invigilation/enter_code.html",
        {"error": error, "code": code, "page_title": "Certification"},
        status=400 if error else 200,
    )


def _date(text):
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@pupil_required
def confirm_identity(request, pupil, candidate_id):
    candidate = _own_candidacy(pupil, candidate_id)
    if candidate.identity_confirmed_at:
        return redirect("certif:arrival_waiting", candidate_id=candidate.id)
    error = ""
    typed = {"last_name": "", "first_name": "", "birthdate": ""}
    if request.method == "POST":
        limits = throttle.arrival_limits(request)
        if throttle.is_throttled(limits):
            return throttled(request)
        typed = {key: (request.POST.get(key) or "")[:100] for key in typed}
        birthdate = _date(typed["birthdate"])
        if services.confirm_identity(
            candidate, last_name=typed["last_name"], first_name=typed["first_name"], birthdate=birthdate
        ):
            return redirect("certif:arrival_waiting", candidate_id=candidate.id)
        throttle.record_failure(limits)
        error = services.WRONG_IDENTITY if birthdate else "Saisissez votre date de naissance, par exemple 14/05/2012."
    return render(
        request,
        "certif/invigilation/identity.html",
        {"candidate": candidate, "typed": typed, "error": error, "page_title": "Confirmer mon identité"},
        status=400 if error else 200,
    )


@pupil_required
def waiting(request, pupil, candidate_id):
    candidate = _own_candidacy(pupil, candidate_id)
    if candidate.identity_confirmed_at is None:
        return redirect("certif:arrival_identity", candidate_id=candidate.id)
    template = "certif/invigilation/_waiting.html" if request.headers.get("HX-Request") else None
    context = {"candidate": candidate, "page_title": "En attente du surveillant"}
    return render(request, template or "certif/invigilation/waiting.html", context)
