"""Sessions for the staff: the list and calendar (every member, read-only), the session's page, creating,
editing and deleting it (school admins)."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from orga.audit.services import Action, record
from orga.classes.certifiability import attach_certifiability
from orga.pupils.models import Pupil
from orga.schools.guards import school_admin_required, school_member_required
from orga.schools.models import School, current_school_year
from orga.schools.permissions import is_school_admin

from ..forms import LIST_STATUSES, SessionForm
from ..models import Grade, NationalWindow, Session
from ..services import create_session, deletion_refusal, update_session

# The documents room sits above sessions: the session page names its links without importing it.
DOCUMENT_LINKS = [
    ("emargement", "Feuille d'émargement"),
    ("convocations", "Convocations des candidats, classe par classe"),
    ("kit-surveillant", "Kit du surveillant (codes et déroulé)"),
    ("pv-incident", "PV d'incident vierge"),
]
LOCKED = "Cette session est finalisée : elle ne se modifie plus."


def _sessions(school):
    return Session.objects.filter(school=school).annotate(enrolled=Count("candidates"))


def _session_or_404(request, session_id):
    return get_object_or_404(Session.objects.filter(school=request.school), id=session_id)


@school_member_required
def session_list(request):
    status = request.GET.get("statut", "")
    sessions = _sessions(request.school).in_calendar_order()
    if status in Session.Status.values:
        sessions = sessions.filter(status=status)
    return render(
        request,
        "certif/sessions/list.html",
        {
            "school": request.school,
            "sessions": sessions,
            "status": status,
            "statuses": LIST_STATUSES,
            "can_manage": is_school_admin(request),
            "page_title": "Sessions de certification",
        },
    )


@school_member_required
def session_calendar(request):
    """The sessions from this week on, grouped by week then by day."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    sessions = list(_sessions(request.school).filter(date__gte=monday).in_calendar_order())
    weeks = []
    for week_start, in_week in groupby(sessions, key=lambda s: s.date - datetime.timedelta(days=s.date.weekday())):
        days = [(day, list(in_day)) for day, in_day in groupby(in_week, key=lambda s: s.date)]
        weeks.append({"start": week_start, "end": week_start + datetime.timedelta(days=6), "days": days})
    return render(
        request,
        "certif/sessions/calendar.html",
        {
            "school": request.school,
            "weeks": weeks,
            "can_manage": is_school_admin(request),
            "page_title": "Calendrier des sessions",
        },
    )


def _default_grade(school):
    return Grade.THIRD if school.type == School.Type.COLLEGE else Grade.TERMINALE


def _windows_of_year(date, school):
    """The year's windows for the school's pupils: 3e in a collège, the others in a lycée."""
    windows = NationalWindow.objects.filter(school_year=current_school_year(date)).order_by("starts_on", "grade")
    if school.type == School.Type.COLLEGE:
        return windows.filter(grade=Grade.THIRD)
    return windows.exclude(grade=Grade.THIRD)


def _form_window_warning(form, session=None):
    """The window warning for the date and grade being typed (a form sent back with errors), else the session's."""
    data = getattr(form, "cleaned_data", {})
    if data.get("date") and data.get("grade"):
        return NationalWindow.objects.warning_for(data["date"], data["grade"])
    return session.window_warning() if session else ""


@school_admin_required
def window_warning(request):
    """The form's window warning, again as the date or the public changes (an htmx fragment)."""
    grade = request.GET.get("grade", "")
    try:
        date = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        date = None
    warning = NationalWindow.objects.warning_for(date, grade) if date and grade in Grade.values else ""
    return render(request, "certif/sessions/_window_warning.html", {"window_warning": warning})


def _warn_window(request, session):
    warning = session.window_warning()
    if warning:
        messages.warning(request, warning)


@school_admin_required
def session_create(request):
    school = request.school
    initial = {"grade": _default_grade(school), "address": school.name}
    form = SessionForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = create_session(
            school=school,
            created_by=request.user,
            invigilators=form.cleaned_data["invigilators"],
            **form.session_fields(),
        )
        messages.success(request, f"Session n° {session.number} créée : code d'accès {session.access_code}.")
        _warn_window(request, session)
        return redirect("certif:session_detail", uai=school.uai, session_id=session.id)
    return render(
        request,
        "certif/sessions/form.html",
        {
            "school": school,
            "form": form,
            "window_warning": _form_window_warning(form),
            "windows": _windows_of_year(timezone.localdate(), school),
            "page_title": "Nouvelle session de certification",
        },
    )


@school_admin_required
def session_edit(request, session_id):
    session = _session_or_404(request, session_id)
    if not session.is_open:
        raise PermissionDenied(LOCKED)
    form = SessionForm(
        request.POST or None,
        school=request.school,
        initial=SessionForm.initial_of(session),
        enrolled=session.candidates.count(),
    )
    if request.method == "POST" and form.is_valid():
        update_session(session, invigilators=form.cleaned_data["invigilators"], **form.session_fields())
        messages.success(request, "Session modifiée.")
        _warn_window(request, session)
        return redirect("certif:session_detail", uai=request.school.uai, session_id=session.id)
    return render(
        request,
        "certif/sessions/form.html",
        {
            "school": request.school,
            "form": form,
            "session": session,
            "window_warning": _form_window_warning(form, session),
            "windows": _windows_of_year(session.date, request.school),
            "page_title": f"Modifier la session n° {session.number}",
        },
    )


@school_admin_required
def session_detail(request, session_id):
    session = get_object_or_404(
        Session.objects.filter(school=request.school).prefetch_related("invigilators__user"), id=session_id
    )
    candidates = list(session.candidates.all())
    pupils = attach_certifiability(Pupil.objects.filter(id__in=[c.pupil_id for c in candidates if c.pupil_id]))
    standing = {pupil.id: pupil for pupil in pupils}
    for candidate in candidates:
        candidate.standing = standing.get(candidate.pupil_id)
    longest = max((c.extra_time_percentage for c in candidates), default=0)
    return render(
        request,
        "certif/sessions/detail.html",
        {
            "school": request.school,
            "session": session,
            "candidates": candidates,
            "ends_at": session.ends_at(longest),
            # Once finalised, the date cannot change any more: "vérifiez la date" would only mislead.
            "window_warning": session.window_warning() if session.is_open else "",
            "deletion_refusal": deletion_refusal(session),
            "documents": DOCUMENT_LINKS,
            # The finalisation room sits above: the page only tells whether the session's date has come.
            "date_has_come": session.date <= timezone.localdate(),
            "page_title": f"Session n° {session.number}",
        },
    )


@school_admin_required
def session_delete(request, session_id):
    """GET asks for confirmation; POST deletes, with its candidates, unless one of them has started."""
    session = _session_or_404(request, session_id)
    refusal = deletion_refusal(session)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        number, enrolled = session.number, session.candidates.count()
        with_enrolled = f"avec {enrolled} inscription{'s' if enrolled > 1 else ''}" if enrolled else "sans inscription"
        description = f"Session n° {number} du {session.date:%d/%m/%Y} supprimée, {with_enrolled}"
        record(request, request.school, Action.SESSION_DELETED, session, description, enrolled=enrolled)
        session.delete()
        messages.success(request, f"Session n° {number} supprimée, avec ses inscriptions.")
        return redirect("certif:sessions", uai=request.school.uai)
    return render(
        request,
        "certif/sessions/delete.html",
        {
            "school": request.school,
            "session": session,
            "enrolled": session.candidates.count(),
            "page_title": f"Supprimer la session n° {session.number}",
        },
    )
