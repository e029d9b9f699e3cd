"""The demo school's planned certification session, with a few 3e A pupils enrolled (one with extra time)."""

import datetime

from django.utils import timezone

from certif.candidates.enrolment import enrol
from certif.models import Grade, NationalWindow, Session
from certif.sessions.services import create_session

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
