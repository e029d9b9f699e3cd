"""The pupils list's « Certifiable » column and filter, computed in orga's own terms (no certif import)."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crcn.models import Competence
from orga.campaigns.services import create_campaign
from orga.classes.certifiability import attach_certifiability, filter_certifiability
from orga.models import CompetenceResult, Participation, Pupil
from tests.factories import DivisionFactory, PupilFactory

FIVE = {"1.1": 1, "1.2": 2, "2.1": 1, "3.1": 1, "4.1": 3}


def position(pupil, owner, levels, day=10, shared=True):
    campaign = create_campaign(
        school=pupil.school, owner=owner, name=f"C{day}", type="assessment", competence_codes=list(levels)
    )
    if not shared:
        return Participation.objects.create(campaign=campaign, pupil=pupil)
    shared_at = timezone.make_aware(datetime.datetime(2026, 10, day, 10))
    participation = Participation.objects.create(campaign=campaign, pupil=pupil, status="shared", shared_at=shared_at)
    for code, level in levels.items():
        CompetenceResult.objects.create(
            participation=participation, competence=Competence.objects.get(code=code), level=level, pix=8 * level
        )


@pytest.mark.django_db
def test_certifiability_reads_the_latest_shared_level_of_each_competence(school, school_admin, other_school):
    division = DivisionFactory(school=school)
    certifiable, dropped, started, never = PupilFactory.create_batch(4, school=school, division=division)
    position(certifiable, school_admin, FIVE)
    position(certifiable, school_admin, {"5.1": 0}, day=12)  # another competence: still five
    position(dropped, school_admin, FIVE)
    position(dropped, school_admin, {"4.1": 0}, day=12)  # the later level 0 replaces the level 3
    position(started, school_admin, FIVE, shared=False)
    pupils = Pupil.objects.filter(school=school)
    found = {p.id: (p.competences_reached, p.has_positioned, p.is_certifiable) for p in attach_certifiability(pupils)}
    assert found[certifiable.id] == (5, True, True)
    assert found[dropped.id] == (4, True, False)
    assert found[started.id] == (0, False, False)
    assert found[never.id] == (0, False, False)
    ids = lambda kind: {p.id for p in filter_certifiability(pupils, kind)}  # noqa: E731
    assert ids("certifiables") == {certifiable.id}
    assert ids("non-certifiables") == {dropped.id}
    assert ids("jamais-positionnes") == {started.id, never.id}
    assert len(ids("")) == 4


@pytest.mark.django_db
def test_the_pupils_list_shows_and_filters_certifiability(client_for, school, teacher, school_admin):
    division = DivisionFactory(school=school)
    yes = PupilFactory(school=school, division=division, last_name="OUI")
    no = PupilFactory(school=school, division=division, last_name="NON")
    PupilFactory(school=school, division=division, last_name="JAMAIS")
    position(yes, school_admin, FIVE)
    position(no, school_admin, {"1.1": 1})
    page = reverse("orga:pupils", kwargs={"uai": school.uai})
    client = client_for(teacher)
    html = unescape(client.get(page).content.decode())
    assert '<th scope="col">Certifiable</th>' in html
    assert "niveau 1 dans 1 compétence" in html and "Jamais positionné" in html
    html = client.get(page, {"certifiable": "certifiables"}).content.decode()
    assert "OUI" in html and "NON" not in html and "JAMAIS" not in html
    html = client.get(page, {"certifiable": "jamais-positionnes"}).content.decode()
    assert "JAMAIS" in html and "OUI" not in html


@pytest.mark.django_db
def test_the_pupils_list_query_count_stays_fixed_with_results(client_for, school, teacher, school_admin):
    division = DivisionFactory(school=school)
    client = client_for(teacher)
    page = reverse("orga:pupils", kwargs={"uai": school.uai})
    position(PupilFactory(school=school, division=division), school_admin, FIVE)
    with CaptureQueriesContext(connection) as few:
        client.get(page, {"certifiable": "certifiables"})
    for pupil in PupilFactory.create_batch(10, school=school, division=division):
        position(pupil, school_admin, FIVE)
    with CaptureQueriesContext(connection) as many:
        client.get(page, {"certifiable": "certifiables"})
    assert len(many) == len(few)
