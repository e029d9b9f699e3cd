"""The candidate's arrival on the day: the session's access code, their identity, then waiting for the
invigilator."""

import datetime

from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from certif.course.access import browser_key, own_candidacy, pupil_required

from .. import services, throttle


def throttled(request, refusal):
    context = {"page_title": "Trop d'essais", "refusal": refusal}
    return render(request, "account/too_many_tries.html", context, status=429)


@pupil_required
def enter_access_code(request, pupil):
    error = ""
    code = ""
    if request.method == "POST":
        attempt = throttle.arrival_attempt(request)
        if refusal := attempt.refusal():
            return throttled(request, refusal)
        code = services.normalize_typed_code(request.POST.get("code"))
        candidate = services.candidacy_for(pupil, code)
        if candidate is not None:
            return redirect("certif:arrival_identity", candidate_id=candidate.id)
        attempt.failed()
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
    candidate = own_candidacy(pupil, candidate_id)
    if candidate.identity_confirmed_at:
        return redirect("certif:arrival_waiting", candidate_id=candidate.id)
    error = ""
    typed = {"last_name": "", "first_name": "", "birthdate": ""}
    if request.method == "POST":
        attempt = throttle.arrival_attempt(request)
        if refusal := attempt.refusal():
            return throttled(request, refusal)
        typed = {key: (request.POST.get(key) or "")[:100] for key in typed}
        birthdate = _date(typed["birthdate"])
        if services.confirm_identity(
            candidate, last_name=typed["last_name"], first_name=typed["first_name"], birthdate=birthdate
        ):
            return redirect("certif:arrival_waiting", candidate_id=candidate.id)
        attempt.failed()
        error = services.WRONG_IDENTITY if birthdate else "Saisissez votre date de naissance, par exemple 14/05/2012."
    return render(
        request,
        "certif/invigilation/identity.html",
        {"candidate": candidate, "typed": typed, "error": error, "page_title": "Confirmer mon identité"},
        status=400 if error else 200,
    )


@pupil_required
def waiting(request, pupil, candidate_id):
    candidate = own_candidacy(pupil, candidate_id)
    if candidate.identity_confirmed_at is None:
        return redirect("certif:arrival_identity", candidate_id=candidate.id)
    browser_key(request)
    if candidate.presence_confirmed_at:  # present: on to the test (which starts it, or asks for a resume)
        test_url = reverse("certif:test", kwargs={"candidate_id": candidate.id})
        return HttpResponseClientRedirect(test_url) if request.htmx else redirect(test_url)
    template = "certif/invigilation/_waiting.html" if request.htmx else None
    context = {"candidate": candidate, "page_title": "En attente du surveillant"}
    return render(request, template or "certif/invigilation/waiting.html", context)
