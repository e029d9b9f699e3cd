"""What each role finds on its home page beyond the campaigns: the pupil's profile across years and
certification, the teacher's classes' candidates and results, the session of the day for the staff.
pixdeploy composes orga and certif here; each function runs a fixed number of queries whatever the rows."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from certif.results.services import published_results_by_class, pupil_candidacies, visible_division_names
from certif.sessions.models import Candidate, Session
from orga.classes.follow_up import shared_results
from orga.schools.models import current_school_year

# --- The pupil --------------------------------------------------------------------------------------


@dataclass
class YearProfile:
    school_year: str
    levels: dict = field(default_factory=dict)  # {competence code: level}, the latest sent that year
    pix: dict = field(default_factory=dict)

    @property
    def competence_count(self):
        return len(self.levels)

    @property
    def total_pix(self):
        return sum(self.pix.values())

    @property
    def best_level(self):
        return max(self.levels.values(), default=0)


def profile_by_year(pupil):
    """The pupil's shared results folded by school year (latest of each competence wins), latest year first:
    one query."""
    years = {}
    rows = shared_results([pupil.id]).values_list("sent", "competence__code", "level", "pix")
    for sent, code, level, pix in rows:  # oldest first
        school_year = current_school_year(sent.date())
        year = years.setdefault(school_year, YearProfile(school_year))
        year.levels[code] = level
        year.pix[code] = pix
    return sorted(years.values(), key=lambda year: year.school_year, reverse=True)


@dataclass
class PupilCertification:
    upcoming: list  # candidacies in sessions to come (or today), soonest first
    results: list  # candidacies with a published result, latest first

    @property
    def has_session_today(self):
        return any(candidate.is_today for candidate in self.upcoming)


def pupil_certification(pupil, today):
    """The pupil's convocations to come and published results: one query (two once a result is published)."""
    candidacies = pupil_candidacies(pupil)
    upcoming = []
    for candidate in candidacies:
        session = candidate.session
        candidate.is_today = session.date == today
        if session.date >= today and session.status == Session.Status.CREATED:
            candidate.arrive_at = (
                datetime.datetime.combine(session.date, session.start_time) - datetime.timedelta(minutes=15)
            ).time()
            upcoming.append(candidate)
    upcoming.reverse()
    results = [candidate for candidate in candidacies if candidate.published_result is not None]
    return PupilCertification(upcoming=upcoming, results=results)


# --- The teacher (and whoever follows classes) ------------------------------------------------------


def classes_certification(school, user, membership, today):
    """The candidates of the classes the user follows in the sessions to come, by session and class, and the
    school year's published results of those classes: three queries whatever the rows."""
    enrolled = list(
        Candidate.objects.filter(session__school=school, session__date__gte=today)
        .filter(session__status=Session.Status.CREATED)
        .filter(visible_division_names(school, user, membership, field="division_name"))
        .values(
            "session_id", "session__number", "session__date", "session__start_time", "session__room", "division_name"
        )
        .annotate(count=Count("id"))
        .order_by("session__date", "session__start_time", "session__number", "division_name")
    )
    results = published_results_by_class(school, user, membership)
    return {"enrolled": enrolled, "results": results}


# --- The staff on the day of a session ---------------------------------------------------------------


def sessions_today(school, user, today):
    """The school's sessions of the day, each telling whether this user invigilates it: two queries."""
    sessions = list(
        Session.objects.filter(school=school, date=today)
        .exclude(status=Session.Status.PROCESSED)
        .prefetch_related("invigilators")
        .in_calendar_order()
    )
    for session in sessions:
        session.mine = any(invigilator.user_id == user.id for invigilator in session.invigilators.all())
    return sessions
