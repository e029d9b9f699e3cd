"""The académie view: every school's checklist progress, participation and certification side by side.

A checklist per school costs a few dozen queries, so the table is an `AcademieReport` job computed by a worker
(task `pixdeploy.build_academie_report`, queued on commit, safe to run twice: its rows are replaced whole in one
transaction) and the page reads the latest one in a fixed number of queries whatever the number of schools.
Who sees which schools is written in orga.schools.permissions (`sees_academie_view`, `academie_scopes`,
`academie_rows`); the référents are `AcademieReferent` rows, edited in the administration. An académie is free text
on a school: it is matched by its key (`zones.academie_key`: « Académie de Lyon » and « Lyon » are one académie), and
a report of one académie (`AcademieReport.academie`) names it by that key.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from certif.models import HandOver, Session
from jobs.queue import queue_on_commit
from jobs.runner import run_job
from orga.models import Participation, School
from orga.schools.models import current_school_year
from orga.schools.permissions import academie_rows, academie_scopes

from .checklist import certifiable_grade_pupils, checklist_for, school_year_span, year_progress
from .models import AcademieReferent, AcademieReport, AcademieReportRow
from .windows import State
from .wording import count_of
from .zones import academie_key

# ?tri= → the rows' order: (columns, the first one descending).
SORTS = {
    "nom": ("name", "uai"),
    "academie": ("academie", "name"),
    "type": ("type", "name"),
    "avancement": ("-checklist_percent", "-steps_done", "name"),
    "retard": ("-overdue_steps", "name"),
    "eleves": ("-pupils", "name"),
    "participation": ("-started_percent", "name"),
    "envois": ("-shared_percent", "name"),
    "certification": ("-candidates", "name"),
}
DEFAULT_SORT = "nom"


def referent_academies(user):
    """{key: name} of the académies the user is referent of (see `zones.academie_key`): no query for a superuser or
    an anonymous visitor."""
    if not user.is_authenticated or user.is_superuser:
        return {}
    names = AcademieReferent.objects.filter(user=user).order_by("academie").values_list("academie", flat=True)
    return _by_key(names)


def _by_key(names):
    """{key: name}, the shortest spelling of each académie (« Lyon » rather than « Académie de Lyon »), by name."""
    found = {}
    for name in sorted(names, key=lambda name: (len(name), name)):
        found.setdefault(academie_key(name), name)
    found.pop("", None)
    return dict(sorted(found.items(), key=lambda item: item[1]))


def is_referent(user, request=None):
    """Whether the user is an académie referent; no query when the académie view's guard already asked."""
    known = getattr(request, "referent_academies", None)
    if known is not None:
        return bool(known)
    return user.is_authenticated and AcademieReferent.objects.filter(user=user).exists()


def scopes_for(user, academies):
    """{key: name} of the académies the user may choose: "" (every school) then each académie of the schools for a
    superuser; for a referent, theirs (`academies`, as `referent_academies` gives them)."""
    known = (
        _by_key(School.objects.order_by().values_list("academie", flat=True).distinct()) if user.is_superuser else {}
    )
    names = {"": "toutes les académies", **known, **academies}
    return {key: names[key] for key in academie_scopes(user, academies, known)}


def _covering(academie):
    """The reports whose rows hold the schools of `academie`: its own, and those of every académie."""
    return Q(academie__in=[academie, ""]) if academie else Q(academie="")


def latest_job(academie):
    """The last report asked for exactly this scope (running, failed or done), for its status."""
    return AcademieReport.objects.filter(academie=academie).select_related("requested_by").first()


def latest_done(academie):
    return (
        AcademieReport.objects.filter(_covering(academie), status=AcademieReport.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def report_rows(report, user, academies, *, academie="", school_type="", sort=DEFAULT_SORT):
    """The report's rows the user sees, of `academie` (a key; "" every one they see) and `school_type`, sorted: a
    QuerySet (one query)."""
    rows = report.rows.filter(academie_rows(user, academies, field="academie_key"))
    if academie:
        rows = rows.filter(academie_key=academie)
    if school_type:
        rows = rows.filter(type=school_type)
    return rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def start_report(academie, user):
    """The job computing the table of `academie` ("" every school): the one under way if any, else a new one queued
    once committed. Returns (job, created)."""
    running = AcademieReport.objects.active().filter(academie=academie).first()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            job = AcademieReport.objects.create(academie=academie, requested_by=user)
            queue_on_commit(AcademieReport.task_name, job.id)
    except IntegrityError:  # another click created it in the meantime: the constraint keeps one
        return AcademieReport.objects.active().get(academie=academie), False
    return job, True


# --- The worker's side -------------------------------------------------------------------------------


def participation_figures(schools, school_year):
    """{school id: {pupils, started, shared}}: active pupils, and pupils with a participation in a campaign of this
    school year (started, and sent), counted as the checklist counts them: one query for the pupils and one for the
    participations, whatever the number of schools. A pupil in two campaigns counts once."""
    participations = Participation.objects.current().filter(
        campaign__created_at__date__range=school_year_span(school_year)
    )
    started = participations.values("campaign__school_id").annotate(
        started=Count("pupil_id", distinct=True),
        shared=Count("pupil_id", distinct=True, filter=Q(status=Participation.Status.SHARED)),
    )
    pupils = School.objects.filter(id__in=[school.id for school in schools]).annotate(
        active=Count("pupils", filter=Q(pupils__is_active=True))
    )
    figures = {school.id: {"pupils": school.active, "started": 0, "shared": 0} for school in pupils}
    for row in started.filter(campaign__school_id__in=figures):
        figures[row["campaign__school_id"]].update(started=row["started"], shared=row["shared"])
    return figures


def certification_figures(schools, school_year):
    """{school id: {candidates, published_sessions, handed_over}} for the school year: two queries whatever the
    number of schools. Results count as handed to the LSU / LSL as the checklist counts them: a hand-over of the
    year once a session has published results."""
    ids = [school.id for school in schools]
    sessions = (
        Session.objects.filter(school_id__in=ids, date__range=school_year_span(school_year))
        .values("school_id")
        .annotate(
            candidates=Count("candidates", distinct=True),
            published=Count("id", distinct=True, filter=Q(status=Session.Status.PROCESSED)),
        )
    )
    figures = {school_id: {"candidates": 0, "published_sessions": 0, "handed_over": False} for school_id in ids}
    for row in sessions:
        figures[row["school_id"]].update(candidates=row["candidates"], published_sessions=row["published"])
    handed = set(
        HandOver.objects.filter(school_id__in=ids, school_year=school_year).values_list("school_id", flat=True)
    )
    for school_id, school_figures in figures.items():
        school_figures["handed_over"] = school_id in handed and school_figures["published_sessions"] > 0
    return figures


def grade_figures(school, school_year):
    """The pupils of the certification's grade and those enrolled this year, when the data can tell (collège)."""
    grade = certifiable_grade_pupils(school)
    if grade is None:
        return {"grade_pupils": None, "grade_enrolled": None}
    counts = grade.aggregate(
        total=Count("id", distinct=True),
        enrolled=Count(
            "id",
            distinct=True,
            filter=Q(certification_candidacies__session__date__range=school_year_span(school_year)),
        ),
    )
    return {"grade_pupils": counts["total"], "grade_enrolled": counts["enrolled"]}


def school_row(school, figures, school_year):
    """One school's row: its checklist (the principal's, as on their home page) and the figures gathered."""
    steps = checklist_for(school)
    progress = year_progress(steps)
    return AcademieReportRow(
        school=school,
        name=school.name,
        uai=school.uai,
        type=school.type,
        academie=school.academie,
        academie_key=academie_key(school.academie),
        items_done=progress.items_done,
        items=progress.items,
        steps_done=progress.steps_done,
        steps=progress.steps,
        overdue_steps=sum(step.state == State.OVERDUE for step in steps),
        **figures,
        **grade_figures(school, school_year),
    ).fill_percents()


def build_rows(report):
    """The rows of the report's schools, the job's progress moving school by school."""
    school_year = current_school_year()
    schools = School.objects.order_by("name", "uai")
    if report.academie:  # however each school spells it
        schools = [school for school in schools if academie_key(school.academie) == report.academie]
    schools = list(schools)
    participation = participation_figures(schools, school_year)
    certification = certification_figures(schools, school_year)
    rows = []
    for done, school in enumerate(schools, start=1):
        figures = {**participation[school.id], **certification[school.id]}
        rows.append(school_row(school, figures, school_year))
        report.report_progress(100 * done / (len(schools) + 1), f"{count_of(done, 'établissement')} sur {len(schools)}")
    return rows, school_year


def _work(report):
    rows, school_year = build_rows(report)
    report.checkpoint()
    with transaction.atomic():  # a second run replaces the first one's rows whole
        report.rows.all().delete()
        for row in rows:
            row.report = report
        AcademieReportRow.objects.bulk_create(rows)
    return {"school_year": school_year, "school_count": len(rows)}


def process_report(report_id, task=None):
    """Compute a report's rows. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(AcademieReport, report_id, _work, task=task)
