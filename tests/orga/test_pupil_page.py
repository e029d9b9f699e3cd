"""A pupil's page for the staff: participations, levels per competence and results."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crcn.models import Competence
from orga.campaigns.services import create_campaign
from orga.models import CompetenceResult, Participation
from tests.factories import DivisionFactory, PupilFactory


def page_url(school, pupil):
    return reverse("orga:pupil_detail", kwargs={"uai": school.uai, "pupil_id": pupil.id})


def participate(school, owner, pupil, name, results, shared_on=None):
    """A participation of `pupil` in a new campaign, shared on `shared_on` with {code: (level, pix)}, or started."""
    campaign = create_campaign(
        school=school, owner=owner, name=name, type="assessment", competence_codes=list(results) or ["1.1"]
    )
    if shared_on is None:
        return Participation.objects.create(campaign=campaign, pupil=pupil)
    shared_at = timezone.make_aware(datetime.datetime.combine(shared_on, datetime.time(10)))
    participation = Participation.objects.create(
        campaign=campaign, pupil=pupil, status="shared", shared_at=shared_at, pix=sum(p for _, p in results.values())
    )
    for code, (level, pix) in results.items():
        CompetenceResult.objects.create(
            participation=participation, competence=Competence.objects.get(code=code), level=level, pix=pix
        )
    return participation


@pytest.mark.django_db
def test_pupil_page_shows_participations_and_latest_levels(client_for, school, teacher):
    pupil = PupilFactory(school=school, division=DivisionFactory(school=school))
    participate(school, teacher, pupil, "Rentrée 4e", {"1.1": (1, 8), "2.1": (2, 16)}, datetime.date(2026, 9, 20))
    participate(school, teacher, pupil, "Printemps 4e", {"1.1": (3, 24)}, datetime.date(2026, 11, 5))
    participate(school, teacher, pupil, "Pas fini", {})
    html = client_for(teacher).get(page_url(school, pupil)).content.decode()
    participations = html[html.index("pupil-participations") :]
    for name, status in [
        ("Rentrée 4e", "Résultats reçus"),
        ("Printemps 4e", "Résultats reçus"),
        ("Pas fini", "En cours"),
    ]:
        assert name in participations and status in participations
    assert "05/11/2026" in participations and "24" in participations
    levels = html[html.index("pupil-levels") : html.index("pupil-participations")]
    title_11 = Competence.objects.get(code="1.1").title
    rows = levels.split("<tr>")[2:]
    assert len(rows) == 2
    assert "1.1" in rows[0] and title_11.split("'")[0] in rows[0]
    assert 'data-label="Niveau">3</td>' in rows[0] and "Printemps 4e" in rows[0]  # the later sending wins
    assert "2.1" in rows[1] and 'data-label="Niveau">2</td>' in rows[1] and "Rentrée 4e" in rows[1]


@pytest.mark.django_db
def test_pupil_page_without_participation(client_for, school, school_admin):
    pupil = PupilFactory(school=school)
    html = client_for(school_admin).get(page_url(school, pupil)).content.decode()
    assert "Aucune participation" in html and "Pas encore de résultats" in html


@pytest.mark.django_db
def test_pupil_page_query_count_does_not_grow_with_participations(client_for, school, teacher):
    pupil = PupilFactory(school=school, division=DivisionFactory(school=school))
    client = client_for(teacher)
    participate(school, teacher, pupil, "Une", {"1.1": (1, 8)}, datetime.date(2026, 9, 20))
    with CaptureQueriesContext(connection) as before:
        client.get(page_url(school, pupil))
    for n in range(4):
        participate(
            school, teacher, pupil, f"Campagne {n}", {"2.1": (2, 16), "3.1": (1, 8)}, datetime.date(2026, 10, n + 1)
        )
    with CaptureQueriesContext(connection) as after:
        html = client.get(page_url(school, pupil)).content.decode()
    assert "Campagne 3" in html
    assert len(after) == len(before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status", [("teacher", 200), ("school_admin", 200), ("pupil", 403), ("other_school_admin", 404)]
)
def test_pupil_page_permissions(client_for, request, school, teacher, who, status):
    pupil = PupilFactory(school=school, division=DivisionFactory(school=school))
    participate(school, teacher, pupil, "Rentrée", {"1.1": (1, 8)}, datetime.date(2026, 9, 20))
    response = client_for(request.getfixturevalue(who)).get(page_url(school, pupil))
    assert response.status_code == status
    if status == 200:
        assert "Rentrée" in response.content.decode()
