"""Closing a school year and starting the next.

A school works in one open school year (`School.school_year`). Once the year's certification is over (from 1 June
of its second calendar year, every session of the year finalised), a school admin closes it:

- the year's figures are kept as they stood (`SchoolYearClosure.summary`), next to its checklist's progress;
- the campaigns created during the year are archived: pupils can no longer enter their codes, their results stay
  readable (campaigns' « Archivées » filter, each pupil's profile by year);
- the school's open year becomes the next one. Nothing is deleted: the pupils stay as they are until the next
  pupils' list is imported, which disables those who left (their results kept) and moves the others to their new
  classes.

Closing is one transaction under the school's row lock: two admins closing at once close it once.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from certif.handover.models import HandOver
from certif.results.models import CertificationResult
from certif.sessions.models import Session
from orga.models import Campaign, Participation, School, current_school_year

from . import checklist
from .models import SchoolYearClosure


class YearNotClosable(Exception):
    """Why the year cannot be closed now, in French for the admin."""


def next_school_year(school_year):
    start = int(school_year[:4]) + 1
    return f"{start}-{start + 1}"


def closable_from(school_year):
    """The first day a school year may be closed: 1 June of its second calendar year."""
    return datetime.date(int(school_year[:4]) + 1, 6, 1)


def refusal(school: School, today=None):
    """Why the school's open year cannot be closed today, or "" when it can."""
    today = today or timezone.localdate()
    school_year = school.school_year
    opens = closable_from(school_year)
    if today < opens:
        return f"L'année {school_year} pourra être clôturée à partir du {opens:%d/%m/%Y}, après la certification."
    unfinalised = Session.objects.filter(
        school=school, status=Session.Status.CREATED, date__range=checklist.school_year_span(school_year)
    ).count()
    if unfinalised:
        sessions = "1 session" if unfinalised == 1 else f"{unfinalised} sessions"
        verb = "n'est pas finalisée" if unfinalised == 1 else "ne sont pas finalisées"
        return (
            f"{sessions} de certification de l'année {school_year} {verb} : finalisez-les ou supprimez-les avant de "
            "clôturer l'année."
        )
    return ""


def year_summary(school: School, school_year):
    """The school year's figures: what is kept when the year is closed."""
    span = checklist.school_year_span(school_year)
    campaigns = Campaign.objects.filter(school=school, created_at__date__range=span)
    participations = Participation.objects.current().filter(campaign__in=campaigns)
    results = CertificationResult.objects.published().filter(
        candidate__session__school=school, candidate__session__date__range=span
    )
    certification = results.aggregate(
        certified=Count("id"), validated=Count("id", filter=Q(status=CertificationResult.Status.VALIDATED))
    )
    steps = checklist.checklist_for(school, school_year)
    progress = checklist.year_progress(steps)
    return {
        "pupils": school.pupils.filter(is_active=True).count(),
        "divisions": school.divisions.count(),
        "campaigns": campaigns.count(),
        "participants": participations.values("pupil_id").distinct().count(),
        "shared": participations.filter(status=Participation.Status.SHARED).values("pupil_id").distinct().count(),
        "sessions": Session.objects.filter(school=school, date__range=span).count(),
        "certified": certification["certified"],
        "validated": certification["validated"],
        "handed_over": HandOver.objects.filter(school=school, school_year=school_year).exists(),
        "checklist_items_done": progress.items_done,
        "checklist_items": progress.items,
        "checklist_steps_done": progress.steps_done,
    }


def close_year(school: School, user, today=None):
    """Close the school's open year (see the module's docstring); YearNotClosable says why not."""
    with transaction.atomic():
        school = School.objects.select_for_update().get(pk=school.pk)
        reason = refusal(school, today)
        if reason:
            raise YearNotClosable(reason)
        school_year = school.school_year
        closure = SchoolYearClosure.objects.create(
            school=school, school_year=school_year, closed_by=user, summary=year_summary(school, school_year)
        )
        span_end = checklist.school_year_span(school_year)[1]
        Campaign.objects.filter(school=school, archived_at__isnull=True, created_at__date__lte=span_end).update(
            archived_at=timezone.now()
        )
        school.school_year = next_school_year(school_year)
        school.save(update_fields=["school_year"])
    return closure


def is_behind(school: School, today=None):
    """The school's open year ended and was never closed (the calendar is in a later school year)."""
    return school.school_year < current_school_year(today)
