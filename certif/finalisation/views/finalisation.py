"""The session's finalisation by a school admin: the page and its submission, the issue reports (drafts until
the session is finalised, added and removed one by one, an htmx fragment or the whole page), the PV de session."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from certif.sessions.models import AbortReason, Candidate, Session
from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required

from ..models import InChallengeProblem, IssueCategory, IssueReport
from ..pv import filename, render_pv
from ..services import (
    ALREADY_FINALISED,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    QUESTION_MAX,
    FinalisationRefused,
    Row,
    add_issue_report,
    finalise,
    not_yet_refusal,
    remove_issue_report,
    rows_of,
)

REPORT_FIELDS = ("category", "subcategory", "question_number", "description")


def _session_or_404(request, session_id):
    return get_object_or_404(Session.objects.filter(school=request.school), id=session_id)


def _to_session(request, session):
    return redirect("certif:session_detail", uai=request.school.uai, session_id=session.id)


def _to_finalisation(request, session, candidate_id=None):
    url = reverse("certif:finalise", kwargs={"uai": request.school.uai, "session_id": session.id})
    return redirect(f"{url}#candidat-{candidate_id}" if candidate_id else url)


def _choices(post, rows):
    """What was typed for each candidate: {candidate id: (end screen seen, abort reason)}."""
    return {
        row.candidate.id: (
            post.get(f"ecran-{row.candidate.id}") == "on",
            post.get(f"abandon-{row.candidate.id}", "").strip(),
        )
        for row in rows
    }


def _blank_report():
    return dict.fromkeys(REPORT_FIELDS, "")


def _report_context(request, row, *, errors=(), typed=None):
    return {
        "school": request.school,
        "row": row,
        "report_errors": list(errors),
        "typed_report": typed or _blank_report(),
        "categories": IssueCategory.choices,
        "subcategories": InChallengeProblem.choices,
        "description_max": DESCRIPTION_MAX,
        "question_max": QUESTION_MAX,
    }


def _page(request, session, *, rows=None, choices=None, typed=None, errors=(), report_for=None, status=200):
    """The finalisation page: `choices` and `typed` are what was sent back with `errors`; `report_for` is
    (candidate id, errors, typed report) for an issue report refused without htmx."""
    rows = rows if rows is not None else rows_of(session)
    for row in rows:
        seen, reason = (choices or {}).get(
            row.candidate.id, (row.candidate.end_screen_seen, row.candidate.abort_reason)
        )
        row.typed_end_screen, row.typed_abort = seen, reason
        row.report_errors, row.typed_report = [], _blank_report()
        if report_for and report_for[0] == row.candidate.id:
            row.report_errors, row.typed_report = report_for[1], report_for[2]
    typed = typed or {
        "comment": session.examiner_global_comment,
        "has_incident": session.has_incident,
        "has_joining_issue": session.has_joining_issue,
    }
    return render(
        request,
        "certif/finalisation/finalise.html",
        {
            "school": request.school,
            "session": session,
            "rows": rows,
            "typed": typed,
            "errors": list(errors),
            "not_yet": not_yet_refusal(session),
            "abort_reasons": AbortReason.choices,
            "categories": IssueCategory.choices,
            "subcategories": InChallengeProblem.choices,
            "comment_max": COMMENT_MAX,
            "description_max": DESCRIPTION_MAX,
            "question_max": QUESTION_MAX,
            "page_title": f"Finaliser la session n° {session.number}",
        },
        status=status,
    )


@school_admin_required
def finalise_session(request, session_id):
    """GET shows the page; POST finalises the session, whole or not at all."""
    session = _session_or_404(request, session_id)
    if not session.is_open:
        messages.error(request, ALREADY_FINALISED)
        return _to_session(request, session)
    if request.method != "POST":
        return _page(request, session)
    rows = rows_of(session)
    choices = _choices(request.POST, rows)
    typed = {
        "comment": request.POST.get("comment", ""),
        "has_incident": request.POST.get("has_incident") == "on",
        "has_joining_issue": request.POST.get("has_joining_issue") == "on",
    }
    try:
        finalise(session.id, choices=choices, **typed)
    except FinalisationRefused as refusal:
        if ALREADY_FINALISED in refusal.messages:
            messages.error(request, ALREADY_FINALISED)
            return _to_session(request, session)
        return _page(request, session, rows=rows, choices=choices, typed=typed, errors=refusal.messages, status=400)
    record(request, request.school, Action.SESSION_FINALISED, session, f"Session n° {session.number} finalisée")
    messages.success(request, f"Session n° {session.number} finalisée. Le PV de session est disponible ci-dessous.")
    return _to_session(request, session)


def _candidate_or_404(request, candidate_id):
    return get_object_or_404(
        Candidate.objects.filter(session__school=request.school).select_related("session", "course"),
        id=candidate_id,
    )


def _refused_on_locked(request, session):
    messages.error(request, ALREADY_FINALISED)
    if request.htmx:
        return HttpResponseClientRedirect(
            reverse("certif:session_detail", kwargs={"uai": request.school.uai, "session_id": session.id})
        )
    return _to_session(request, session)


def _reports_fragment(request, candidate_id, **kwargs):
    candidate = Candidate.objects.select_related("course").prefetch_related("issue_reports").get(id=candidate_id)
    row = Row(candidate, getattr(candidate, "course", None))
    return render(request, "certif/finalisation/_reports.html", _report_context(request, row, **kwargs))


@require_POST
@school_admin_required
def issue_report_add(request, candidate_id):
    candidate = _candidate_or_404(request, candidate_id)
    session = candidate.session
    typed = {field: request.POST.get(field, "") for field in REPORT_FIELDS}
    try:
        add_issue_report(candidate, **typed)
    except FinalisationRefused as refusal:
        if ALREADY_FINALISED in refusal.messages:
            return _refused_on_locked(request, session)
        if request.htmx:
            return _reports_fragment(request, candidate.id, errors=refusal.messages, typed=typed)
        return _page(request, session, report_for=(candidate.id, refusal.messages, typed), status=400)
    if request.htmx:
        return _reports_fragment(request, candidate.id)
    messages.success(request, f"Signalement ajouté pour {candidate}.")
    return _to_finalisation(request, session, candidate.id)


@require_POST
@school_admin_required
def issue_report_remove(request, report_id):
    report = get_object_or_404(
        IssueReport.objects.filter(candidate__session__school=request.school).select_related(
            "candidate__session", "candidate__course"
        ),
        id=report_id,
    )
    candidate = report.candidate
    try:
        remove_issue_report(report)
    except FinalisationRefused:
        return _refused_on_locked(request, candidate.session)
    if request.htmx:
        return _reports_fragment(request, candidate.id)
    messages.success(request, f"Signalement retiré pour {candidate}.")
    return _to_finalisation(request, candidate.session, candidate.id)


@school_admin_required
def session_pv(request, session_id):
    """The PV de session, once the session is finalised."""
    session = get_object_or_404(Session.objects.filter(school=request.school).select_related("school"), id=session_id)
    if session.is_open:
        raise PermissionDenied("Le PV de session s'obtient une fois la session finalisée.")
    response = HttpResponse(render_pv(session), content_type="application/pdf")
    record(request, request.school, Action.CERTIFICATION_EXPORTED, session, "PV de session (PDF)")
    response["Content-Disposition"] = content_disposition(filename(session), attachment=True)
    return response
