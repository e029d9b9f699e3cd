"""The results: a session's results for its school admin (computed, reviewed, commented, published, downloaded),
the school's published results by class for the staff, and the pupil's own certification."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from certif.invigilation.views.arrival import pupil_required
from certif.sessions.models import Session
from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required, school_member_required
from orga.schools.permissions import is_school_admin

from .. import csv_format, scoring, services
from ..forms import CommentForm
from ..models import CertificationResult
from ..years import school_year_of

SCORED = (Session.Status.IN_PROCESS, Session.Status.PROCESSED)
NOT_FINALISED = "Les résultats d'une session se consultent une fois la session finalisée."
PUBLISHED = "Les résultats de cette session sont publiés : ils ne se modifient plus."


def _session_or_404(request, session_id):
    return get_object_or_404(Session.objects.filter(school=request.school).select_related("school"), id=session_id)


def _results_page(request, session, *, comment_errors=None, status=200):
    candidates = services.session_candidates(session)
    return render(
        request,
        "certif/results/session.html",
        {
            "school": request.school,
            "session": session,
            "candidates": candidates,
            "scored": session.status in SCORED,
            "editable": session.status == Session.Status.IN_PROCESS,
            "divisions": services.session_divisions(session) if session.status in SCORED else [],
            "competence_codes": csv_format.COMPETENCE_CODES,
            "comment_errors": comment_errors or {},
            "comment_max": services.COMMENT_MAX,
            "page_title": f"Résultats de la session n° {session.number}",
        },
        status=status,
    )


@school_admin_required
def session_results(request, session_id):
    session = _session_or_404(request, session_id)
    if session.is_open:
        raise PermissionDenied(NOT_FINALISED)
    return _results_page(request, session)


@require_POST
@school_admin_required
def session_results_compute(request, session_id):
    session = _session_or_404(request, session_id)
    try:
        count = scoring.score_session(session.id)
    except scoring.ResultsRefused as refusal:
        raise PermissionDenied(str(refusal)) from None
    messages.success(request, f"Résultats calculés pour {count} candidat{'s' if count > 1 else ''}.")
    return redirect("certif:session_results", uai=request.school.uai, session_id=session.id)


@require_POST
@school_admin_required
def result_comment(request, result_id):
    result = get_object_or_404(
        CertificationResult.objects.filter(candidate__session__school=request.school).select_related(
            "candidate__session__school"
        ),
        id=result_id,
    )
    session = result.candidate.session
    if session.status != Session.Status.IN_PROCESS:
        raise PermissionDenied(PUBLISHED if session.status == Session.Status.PROCESSED else NOT_FINALISED)
    form = CommentForm(request.POST)
    if not form.is_valid():
        errors = {result.id: form.errors["comment_for_organisation"]}
        return _results_page(request, session, comment_errors=errors, status=400)
    if not services.update_comment(result.id, form.cleaned_data["comment_for_organisation"].strip()):
        raise PermissionDenied(PUBLISHED)
    messages.success(request, f"Commentaire enregistré pour {result.candidate}.")
    return redirect("certif:session_results", uai=request.school.uai, session_id=session.id)


@school_admin_required
def session_results_publish(request, session_id):
    """GET asks for confirmation; POST publishes."""
    session = _session_or_404(request, session_id)
    if session.status != Session.Status.IN_PROCESS:
        raise PermissionDenied(PUBLISHED if session.status == Session.Status.PROCESSED else scoring.NOT_PUBLISHABLE)
    if request.method == "POST":
        try:
            scoring.publish_session(session.id)
        except scoring.ResultsRefused as refusal:
            raise PermissionDenied(str(refusal)) from None
        record(request, request.school, Action.RESULTS_PUBLISHED, session, f"Session n° {session.number} publiée")
        messages.success(request, "Les résultats sont publiés.")  # the page tells when, and who sees them
        return redirect("certif:session_results", uai=request.school.uai, session_id=session.id)
    return render(
        request,
        "certif/results/publish.html",
        {
            "school": request.school,
            "session": session,
            "results": CertificationResult.objects.filter(candidate__session=session).count(),
            "page_title": f"Publier les résultats de la session n° {session.number}",
        },
    )


def _csv_response(request, session, description, name, text):
    record(request, request.school, Action.CERTIFICATION_EXPORTED, session, description, file=name)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(name, attachment=True)
    return response


def _scored_session(request, session_id):
    session = _session_or_404(request, session_id)
    if session.status not in SCORED:
        raise Http404("Aucun résultat calculé pour cette session.")
    return session


@school_admin_required
def session_results_csv(request, session_id):
    session = _scored_session(request, session_id)
    return _csv_response(request, session, "Résultats de la session (CSV)", *services.session_csv(session))


@school_admin_required
def division_results_csv(request, session_id):
    session = _scored_session(request, session_id)
    found = services.division_csv(session, request.GET.get("classe", ""))
    if found is None:
        raise Http404("Aucun résultat pour cette classe dans la session.")
    return _csv_response(request, session, "Résultats d'une classe de la session (CSV)", *found)


@school_member_required
def results_by_class(request):
    division = request.GET.get("classe", "")
    school_year = school_year_of(request)
    results = services.published_results_by_class(
        request.school, request.user, request.membership, school_year=school_year, division=division
    )
    if division and division not in results.divisions:
        raise Http404("Aucun résultat publié pour cette classe.")
    return render(
        request,
        "certif/results/by_class.html",
        {
            "school": request.school,
            "results": results,
            "division": division,
            "competence_codes": csv_format.COMPETENCE_CODES,
            "can_manage": is_school_admin(request),
            "past_year": "annee" in request.GET,
            "page_title": "Résultats de certification par classe",
        },
    )


@pupil_required
def my_results(request, pupil):
    return render(
        request,
        "certif/results/mine.html",
        {"candidacies": services.pupil_candidacies(pupil), "page_title": "Ma certification"},
    )
