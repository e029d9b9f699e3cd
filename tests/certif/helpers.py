import datetime

from django.urls import reverse
from django.utils import timezone

from certif.models import Candidate
from certif.sessions.services import create_session
from crcn.models import Competence
from orga.campaigns.services import create_campaign
from orga.models import CompetenceResult, Participation
from tests.factories import PupilFactory, UserFactory


def url(name, school, **kwargs):
    return reverse(f"certif:{name}", kwargs={"uai": school.uai, **kwargs})


def make_session(school, *, date=datetime.date(2027, 4, 8), start=datetime.time(9, 0), room="Salle 104", **fields):
    fields = {
        "grade": "3e",
        "address": "12 rue des Écoles",
        "capacity": 30,
        "invigilators": [("M. Dupont", None)],
    } | fields
    return create_session(school=school, created_by=None, date=date, start_time=start, room=room, **fields)


def enrol_pupil(session, last_name, first_name, division, *, extra=0, username=None, user=None, **fields):
    """A new pupil of `division` enrolled in `session`, their identity copied as enrolment does."""
    user = user or (UserFactory(username=username) if username else None)
    pupil = PupilFactory(
        school=session.school, division=division, last_name=last_name, first_name=first_name, user=user
    )
    return Candidate.objects.create(
        session=session,
        pupil=pupil,
        ine=pupil.ine,
        last_name=last_name,
        first_name=first_name,
        birthdate=datetime.date(2012, 5, 3),
        division_name=division.name,
        extra_time_percentage=extra,
        **fields,
    )


def position(pupil, owner, levels, shared=True, on=datetime.date(2026, 10, 5)):
    """A participation of `pupil` in a new campaign of their school, with {code: level}, shared on `on`."""
    campaign = create_campaign(
        school=pupil.school,
        owner=owner,
        name=f"Positionnement {on}",
        type="assessment",
        competence_codes=list(levels) or ["1.1"],
    )
    if not shared:
        return Participation.objects.create(campaign=campaign, pupil=pupil)
    shared_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
    participation = Participation.objects.create(campaign=campaign, pupil=pupil, status="shared", shared_at=shared_at)
    for code, level in levels.items():
        CompetenceResult.objects.create(
            participation=participation, competence=Competence.objects.get(code=code), level=level, pix=8 * level
        )
    return participation


FIVE = {"1.1": 1, "1.2": 2, "2.1": 1, "3.1": 1, "4.1": 3}
FOUR = {"1.1": 1, "1.2": 2, "2.1": 1, "3.1": 1, "4.1": 0}
