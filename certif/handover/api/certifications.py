"""A school's certifications for the livret scolaire, found by UAI: each active pupil's latest certification.

As Pix: a pupil is an active pupil of the school (whatever the case of the UAI asked); their certifications are
every result of a candidate who is that pupil or has their INE, in this school or a former one; only the latest
that is not cancelled counts (by the date the test started), and a validated one without competence marks is left
out (a rejected one never has marks here, and is handed over).
Three queries whatever the number of pupils and results."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from certif.results.models import CertificationResult
from orga.pupils.models import Pupil
from orga.schools.models import School


def _has_marks(result):
    """A validated certification without competence marks is an error Pix leaves out. Ours scores a rejected one
    without marks (crcn.certification): it is still handed over, as Pix hands over a rejected one, with none."""
    return bool(result.competence_levels) or result.status != CertificationResult.Status.VALIDATED


@dataclass
class Row:
    id: int
    first_name: str
    middle_name: str
    third_name: str
    last_name: str
    birthdate: datetime.date
    ine: str
    status: str
    pix_score: int
    verification_code: str | None
    date: datetime.datetime
    delivered_at: datetime.datetime | None
    certification_center: str
    competence_levels: dict


def school_for(uai):
    return School.objects.filter(uai__iexact=uai.strip()).first() if uai.strip() else None


def _taken_at(result):
    course = getattr(result.candidate, "course", None)
    if course is not None:
        return course.started_at
    session = result.candidate.session
    return datetime.datetime.combine(session.date, session.start_time, tzinfo=datetime.UTC)


def _row(pupil, result):
    candidate = result.candidate
    course = getattr(candidate, "course", None)
    return Row(
        id=course.id if course is not None else (result.pix_certification_number or result.id),
        first_name=pupil.first_name,
        middle_name=pupil.middle_name,
        third_name=pupil.third_name,
        last_name=pupil.last_name,
        birthdate=pupil.birthdate,
        ine=pupil.ine,
        status=result.status,
        pix_score=result.pix_score,
        verification_code=result.verification_code,
        date=_taken_at(result),
        delivered_at=candidate.session.published_at,
        certification_center=candidate.session.school.name,
        competence_levels=result.competence_levels or {},
    )


def latest_certifications(school):
    """[Row] of the school's active pupils, sorted by last name, first name and id."""
    if school is None:
        return []
    active = Pupil.objects.filter(school=school, is_active=True)
    pupils = list(active)
    if not pupils:
        return []
    by_id = {pupil.id: pupil for pupil in pupils}
    by_ine = {pupil.ine: pupil for pupil in pupils if pupil.ine}
    results = (
        CertificationResult.objects.exclude(status=CertificationResult.Status.CANCELLED)
        .filter(Q(candidate__pupil__in=active) | Q(candidate__ine__in=active.exclude(ine="").values("ine")))
        .select_related("candidate__session__school", "candidate__course")
    )
    latest = {}
    for result in results:
        pupil = by_id.get(result.candidate.pupil_id) or by_ine.get(result.candidate.ine)
        if pupil is None:
            continue
        key = (_taken_at(result), result.id)
        if pupil.id not in latest or key > latest[pupil.id][0]:
            latest[pupil.id] = (key, result)
    rows = [_row(by_id[pupil_id], result) for pupil_id, (_key, result) in latest.items() if _has_marks(result)]
    return sorted(rows, key=lambda row: (row.last_name, row.first_name, row.id))
