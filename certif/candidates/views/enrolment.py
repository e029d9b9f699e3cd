"""Enrolling pupils in a session (a whole class or a selection), a candidate's extra time, removing a candidate."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from certif.sessions.models import Candidate, Session
from orga.classes.certifiability import attach_certifiability
from orga.pupils.models import Division, Pupil
from orga.schools.guards import school_admin_required

from ..enrolment import EnrolmentRefused, enrol, remove, set_extra_time
from ..forms import EnrolmentForm, ExtraTimeForm

NOTHING_CHOSEN = "Aucun élève choisi : cochez des élèves ou inscrivez toute la classe. Personne n'a été inscrit."


def _ids(values):
    return {int(value) for value in values if value.isascii() and value.isdigit() and len(value) < 10}


def _back_to_session(request, session):
    return redirect("certif:session_detail", uai=request.school.uai, session_id=session.id)


@school_admin_required
def enrolment(request, session_id):
    session = get_object_or_404(Session.objects.filter(school=request.school), id=session_id)
    if not session.is_open:
        messages.error(request, "La session est finalisée : les inscriptions ne changent plus.")
        return _back_to_session(request, session)
    divisions = list(Division.objects.filter(school=request.school))
    chosen = request.POST.get("classe") or request.GET.get("classe", "")
    division = next((d for d in divisions if chosen.isdigit() and d.id == int(chosen)), None)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "classe" and division is not None:
            ids = set(division.pupils.filter(is_active=True).values_list("id", flat=True))
        else:
            ids = _ids(request.POST.getlist("eleves"))
        if not ids:
            messages.error(request, NOTHING_CHOSEN)
        else:
            try:
                report = enrol(
                    session,
                    ids,
                    extra_time_percentage=form.cleaned_data["extra_time_percentage"],
                    enrolled_by=request.user,
                )
            except EnrolmentRefused as refusal:
                messages.error(request, str(refusal))
            else:
                for level, text in report.messages():
                    getattr(messages, level)(request, text)
                return _back_to_session(request, session)
    pupils = []
    if division is not None:
        pupils = attach_certifiability(
            Pupil.objects.filter(school=request.school, division=division, is_active=True)
            .select_related("division")
            .order_by("last_name", "first_name", "id")
        )
        enrolled = set(session.candidates.filter(pupil__in=[p.id for p in pupils]).values_list("pupil_id", flat=True))
        for pupil in pupils:
            pupil.is_enrolled = pupil.id in enrolled
    return render(
        request,
        "certif/candidates/enrolment.html",
        {
            "school": request.school,
            "session": session,
            "divisions": divisions,
            "division": division,
            "pupils": pupils,
            "form": form,
            "enrolled_count": session.candidates.count(),
            "page_title": f"Inscrire des élèves — session n° {session.number}",
        },
    )


def _candidate_or_404(request, candidate_id):
    return get_object_or_404(
        Candidate.objects.filter(session__school=request.school).select_related("session"), id=candidate_id
    )


@require_POST
@school_admin_required
def candidate_extra_time(request, candidate_id):
    candidate = _candidate_or_404(request, candidate_id)
    form = ExtraTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["extra_time_percentage"]))
        return _back_to_session(request, candidate.session)
    try:
        set_extra_time(candidate, form.cleaned_data["extra_time_percentage"])
    except EnrolmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Temps majoré de {candidate} : {candidate.extra_time_percentage} %.")
    return _back_to_session(request, candidate.session)


@require_POST
@school_admin_required
def candidate_remove(request, candidate_id):
    candidate = _candidate_or_404(request, candidate_id)
    try:
        remove(candidate)
    except EnrolmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{candidate} ne fait plus partie de la session.")
    return _back_to_session(request, candidate.session)
