"""The demo school's certification: a planned session with a few 3e A pupils enrolled (one with extra time),
and last June's session, finalised and published."""

import datetime
import random

from django.utils import timezone

from certif.candidates.enrolment import enrol
from certif.models import AbortReason, CertificationCourse, CertificationQuestion, Grade, NationalWindow, Session
from certif.results.scoring import publish_session, score_session
from certif.sessions.services import create_session
from crcn import certification
from crcn.levels import max_reachable_level
from crcn.management.commands.simulate_certification import take_test
from orga.campaigns.services import current_bank
from pixdeploy.demo_campaigns import true_levels

DEMO_ROOM = "Salle informatique 2"
ENROLLED = 6


def seed_certification(school, staff):
    """Idempotent: the session is created once, then left as the demo's visitors changed it. Returns the
    planned session (its number and password are the invigilator's login)."""
    existing = Session.objects.filter(school=school, room=DEMO_ROOM).order_by("id").first()
    if existing is not None:
        return existing
    window = NationalWindow.objects.filter(school_year=school.school_year, grade=Grade.THIRD).first()
    date = (
        window.starts_on + datetime.timedelta(days=3) if window else timezone.localdate() + datetime.timedelta(days=30)
    )
    teacher = staff["c.moreau"]
    session = create_session(
        school=school,
        created_by=staff["m.lefort"],
        grade=Grade.THIRD,
        date=date,
        start_time=datetime.time(9, 0),
        room=DEMO_ROOM,
        address=f"{school.name}, 12 rue Victor-Hugo, 75011 Paris",
        capacity=26,
        description="Apporter sa carte d'identité scolaire. Arriver dix minutes avant le début.",
        invigilators=[(teacher.display_name, teacher), ("M. Garnier (AED)", None)],
    )
    pupils = list(school.pupils.filter(is_active=True, division__name="3e A").order_by("last_name", "id")[:ENROLLED])
    enrol(session, [pupil.id for pupil in pupils[1:]], enrolled_by=staff["m.lefort"])
    enrol(session, [pupils[0].id], extra_time_percentage=33, enrolled_by=staff["m.lefort"])
    return session


PUBLISHED_ROOM = "Salle informatique 1"
PUBLISHED_DATE = datetime.date(2026, 6, 4)  # in the 2025-26 window of the 3e
PUBLISHED_CANDIDATES = 8


def _take_test(candidate, bank, rng, started_at, stop_after=None):
    """The candidate's test answered through the real engine with the simulation's answer model."""
    levels = true_levels(rng, bank.competences)
    course = CertificationCourse.objects.create(
        candidate=candidate,
        started_at=started_at,
        deadline=CertificationCourse.deadline_for(started_at, candidate.extra_time_percentage),
        seed=f"demo-{candidate.ine}",
    )
    # The simulation's candidate; one who left early answered the first questions of the same test.
    answers = take_test(bank, levels, rng, course.seed, max_reachable_level(), certification.QUESTIONS)[:stop_after]
    moment = started_at
    for number, answer in enumerate(answers, start=1):
        moment += datetime.timedelta(seconds=rng.randint(60, 200))
        CertificationQuestion.objects.create(
            course=course,
            number=number,
            challenge_id=answer.challenge_id,
            served_at=moment - datetime.timedelta(seconds=50),
            answer_value="",
            result="ok" if answer.correct else "ko",
            answered_at=moment,
        )
    reason = CertificationCourse.EndReason.COMPLETED if stop_after is None else course.EndReason.ENDED_BY_INVIGILATOR
    CertificationCourse.objects.filter(id=course.id).update(
        ended_at=moment, end_reason=reason, answered_count=len(answers), last_answered_at=moment
    )


def seed_published_session(school, staff, demo_pupil):
    """Last June's session, finalised and published: the demo pupil and 3e B pupils, one absent, one who left
    early. Idempotent."""
    if Session.objects.filter(school=school, room=PUBLISHED_ROOM, date=PUBLISHED_DATE).exists():
        return
    session = create_session(
        school=school,
        created_by=staff["m.lefort"],
        grade=Grade.THIRD,
        date=PUBLISHED_DATE,
        start_time=datetime.time(14, 0),
        room=PUBLISHED_ROOM,
        address=f"{school.name}, 12 rue Victor-Hugo, 75011 Paris",
        capacity=26,
        invigilators=[("Mme Roussel", None)],
    )
    others = school.pupils.filter(is_active=True, division__name="3e B").exclude(id=demo_pupil.id)
    pupils = [demo_pupil, *others.order_by("last_name", "id")[: PUBLISHED_CANDIDATES - 1]]
    enrol(session, [pupil.id for pupil in pupils], enrolled_by=staff["m.lefort"])
    start = timezone.make_aware(datetime.datetime.combine(PUBLISHED_DATE, datetime.time(14, 5)))
    bank, rng = current_bank(), random.Random("demo-published-session")
    candidates = list(session.candidates.exclude(pupil=demo_pupil).order_by("last_name", "id"))
    absent, left_early = candidates[-1], candidates[-2]
    candidates.append(session.candidates.get(pupil=demo_pupil))
    for candidate in candidates:
        if candidate == absent:
            continue
        candidate.identity_confirmed_at = candidate.presence_confirmed_at = candidate.started_at = start
        candidate.end_screen_seen = candidate != left_early
        candidate.abort_reason = AbortReason.CANDIDATE if candidate == left_early else ""
        candidate.save()
        _take_test(candidate, bank, rng, start, stop_after=12 if candidate == left_early else None)
    session.examiner_global_comment = "Un élève a quitté la salle après douze questions, malade."
    session.status, session.finalised_at = Session.Status.FINALISED, start + datetime.timedelta(hours=2)
    session.save()
    score_session(session.id)
    publish_session(session.id)
    Session.objects.filter(id=session.id).update(published_at=start + datetime.timedelta(days=12))
