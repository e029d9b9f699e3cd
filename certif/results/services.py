"""The results as the pages and files read them: a session's results, its CSV files, the school's published
results by class, a pupil's published certifications."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certif.finalisation.models import IssueCategory
from certif.sessions.models import Candidate, Session
from crcn.models import Competence
from crcn.scoring import CERTIFICATION_BANDS
from orga.pupils.models import Division
from orga.schools.models import current_school_year, school_year_span
from orga.schools.permissions import classes_followed_by

from . import csv_format
from .models import CertificationResult

COMMENT_MAX = 500


def ordered_levels(result):
    """[(code, level or None)] of the 16 competences in the framework's order."""
    return [(code, result.competence_levels.get(code)) for code in csv_format.COMPETENCE_CODES]


def session_candidates(session):
    """Every candidate of the session with their result (None for an absent one) and whether a fraud was
    reported: two queries."""
    candidates = list(
        Candidate.objects.filter(session=session)
        .select_related("result")
        .prefetch_related("issue_reports")
        .order_by("last_name", "first_name", "id")
    )
    for candidate in candidates:
        candidate.outcome = getattr(candidate, "result", None)
        candidate.levels = ordered_levels(candidate.outcome) if candidate.outcome else []
        candidate.fraud_reported = any(
            report.category == IssueCategory.FRAUD for report in candidate.issue_reports.all()
        )
    return candidates


def session_divisions(session):
    """The classes of the session's candidates who have a result, in order."""
    names = CertificationResult.objects.filter(candidate__session=session).values_list(
        "candidate__division_name", flat=True
    )
    return sorted({name for name in names if name})


def _row(result):
    candidate = result.candidate
    session = candidate.session
    return csv_format.CertificationRow(
        certification_number=result.pix_certification_number or candidate.course.id,
        first_name=candidate.first_names,
        last_name=candidate.display_last_name,
        birth_date=candidate.birthdate,
        birth_place=candidate.birth_place or None,
        external_id=candidate.ine or None,
        status=result.status,
        level_band=result.level_label if result.level else None,
        pix_score=result.pix_score,
        competence_levels=result.competence_levels,
        comment_for_organisation=result.comment_for_organisation or None,
        session_number=session.pix_session_id or session.number,
        taken_on=session.date,
    )


def _results(session):
    return (
        CertificationResult.objects.filter(candidate__session=session)
        .select_related("candidate__session", "candidate__course")
        .order_by("candidate__last_name", "candidate__first_name", "candidate_id")
    )


def session_csv(session):
    """(file name, text) of the session's results file."""
    rows = [_row(result) for result in _results(session)]
    text = csv_format.session_results_csv(rows, centre=session.school.name)
    return csv_format.session_results_filename(session.number, session.starts_at), text


def division_csv(session, division_name, day=None):
    """(file name, text) of one class's results file, or None when no candidate of that class has a result."""
    results = list(_results(session).filter(candidate__division_name=division_name))
    if not results:
        return None
    text = csv_format.division_results_csv([_row(result) for result in results])
    return csv_format.division_results_filename(division_name, day or timezone.localdate()), text


@transaction.atomic
def update_comment(result_id, comment):
    """Save the comment for the school on a result whose session is not published yet; False otherwise."""
    result = CertificationResult.objects.select_for_update().select_related("candidate__session").get(id=result_id)
    if result.candidate.session.status != Session.Status.IN_PROCESS:
        return False
    result.comment_for_organisation = comment
    result.save(update_fields=["comment_for_organisation"])
    return True


# --- The school's published results, by class -------------------------------------------------------------


def visible_division_names(school, user, membership, field="candidate__division_name"):
    """Q on candidates of the classes this user follows (whoever sees the whole school: every candidate),
    matched by the class name copied at enrolment (`field`: "division_name" to filter candidates themselves)."""
    followed = classes_followed_by(user, membership)
    if not followed:
        return Q()
    names = Division.objects.filter(school=school).filter(followed).values("name")
    return Q(**{f"{field}__in": names})


@dataclass
class ClassResults:
    school_year: str
    rows: list
    divisions: list
    band_counts: list = field(default_factory=list)  # [(label, count)] of validated certifications
    validated: int = 0


def published_results_by_class(school, user, membership, *, school_year=None, division=""):
    """The school year's published results the user may see, by class: two queries whatever the rows."""
    school_year = school_year or current_school_year()
    visible = (
        CertificationResult.objects.published()
        .filter(candidate__session__school=school, candidate__session__date__range=school_year_span(school_year))
        .filter(visible_division_names(school, user, membership))
    )
    divisions = sorted(set(visible.values_list("candidate__division_name", flat=True)) - {""})
    results = visible.filter(candidate__division_name=division) if division else visible
    rows = list(
        results.select_related("candidate__session").order_by(
            "candidate__division_name", "candidate__last_name", "candidate__first_name", "candidate_id"
        )
    )
    for row in rows:
        row.levels = ordered_levels(row)
    counts = Counter(row.level for row in rows if row.status == CertificationResult.Status.VALIDATED)
    bands = sorted({(level, label) for _lowest, level, label in CERTIFICATION_BANDS})
    return ClassResults(
        school_year=school_year,
        rows=rows,
        divisions=divisions,
        band_counts=[(label, counts.get(level, 0)) for level, label in bands if counts.get(level)],
        validated=sum(counts.values()),
    )


# --- The pupil's certifications ---------------------------------------------------------------------------


def competences_in_order():
    return list(Competence.objects.in_framework_order().values_list("code", "title"))


def pupil_candidacies(pupil):
    """The pupil's candidacies, latest first, each with its result once the session's results are published."""
    candidacies = list(
        Candidate.objects.filter(pupil=pupil)
        .select_related("session", "result")
        .order_by("-session__date", "-session__start_time")
    )
    competences = None
    for candidate in candidacies:
        published = candidate.session.published_at is not None
        candidate.published_result = getattr(candidate, "result", None) if published else None
        candidate.is_published = published
        if candidate.published_result is not None:
            competences = competences if competences is not None else competences_in_order()
            levels = candidate.published_result.competence_levels
            candidate.competences = [(code, title, levels.get(code)) for code, title in competences]
    return candidacies
