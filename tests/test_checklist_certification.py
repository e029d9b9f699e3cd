"""Steps 5 and 6 of the principal's checklist, ticked from the school's certification sessions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certif.candidates.enrolment import enrol

from .certif.helpers import make_session, url
from .checklist_helpers import checklist_items
from .factories import DivisionFactory, MembershipFactory, PupilFactory

pytestmark = pytest.mark.usefixtures("on_4_december_2026")

_items = checklist_items


PLANNED = "Planifier les sessions de certification"
SUPERVISION = "Planifier la surveillance"
ENROLLED = "Inscrire les élèves aux sessions"
INVITE = "Convoquer les élèves"


@pytest.mark.django_db
def test_an_empty_school_has_nothing_ticked_and_is_sent_to_create_a_session(school):
    items = _items(school)
    assert not items[PLANNED].done and not items[SUPERVISION].done and not items[ENROLLED].done
    assert items[PLANNED].url == url("session_create", school)
    assert items[PLANNED].detail == items[SUPERVISION].detail == ""
    assert items[ENROLLED].url == items[INVITE].url == url("sessions", school)


@pytest.mark.django_db
def test_a_session_with_an_invigilator_ticks_planning_and_surveillance(school):
    session = make_session(school)
    items = _items(school)
    assert items[PLANNED].done and items[PLANNED].detail == "1 session en 2026-2027, 30 places"
    assert items[PLANNED].url == url("sessions", school)
    assert items[SUPERVISION].done and items[SUPERVISION].url == url("surveillance", school)
    assert not items[ENROLLED].done
    assert items[ENROLLED].url == url("enrolment", school, session_id=session.id)
    assert items[INVITE].url == url("session_detail", school, session_id=session.id)
    assert not items[INVITE].done  # the convocations handed out are ticked by hand


@pytest.mark.django_db
def test_a_session_without_invigilator_leaves_surveillance_to_do(school):
    make_session(school)
    make_session(school, room="Salle 105", invigilators=[])
    item = _items(school)[SUPERVISION]
    assert not item.done and item.detail == "1 session sans surveillant"


@pytest.mark.django_db
def test_another_schools_session_and_last_years_do_not_tick(school, other_school):
    enrol(make_session(other_school), [PupilFactory(school=other_school).id])
    make_session(school, date=datetime.date(2026, 6, 1))  # school year 2025-2026
    items = _items(school)
    assert not items[PLANNED].done and not items[SUPERVISION].done and not items[ENROLLED].done


@pytest.mark.django_db
def test_enrolment_counts_the_3e_pupils_enrolled(school):
    third = DivisionFactory(school=school, name="3e A")
    fourth = DivisionFactory(school=school, name="4e A")
    thirds = PupilFactory.create_batch(3, school=school, division=third)  # MEF 103… by default
    PupilFactory(school=school, division=fourth, mef_code="10210001110")
    PupilFactory(school=school, division=third, mef_code="", ine="123456789AB")  # no MEF: the class tells
    session = make_session(school)
    item = _items(school)[ENROLLED]
    assert not item.done and item.detail == "0 / 4 élèves de 3e inscrit à une session"
    # The places planned are compared with the pupils of 3e.
    assert _items(school)[PLANNED].detail == "1 session en 2026-2027, 30 places pour 4 élèves de 3e"
    enrol(session, [pupil.id for pupil in thirds[:2]])
    item = _items(school)[ENROLLED]
    assert item.done and item.detail == "2 / 4 élèves de 3e inscrits à une session"


@pytest.mark.django_db
def test_planning_tells_the_places_missing_for_the_3e(school):
    third = DivisionFactory(school=school, name="3e A")
    PupilFactory.create_batch(5, school=school, division=third)
    make_session(school, capacity=2)
    make_session(school, room="Salle 105", capacity=1)
    item = _items(school)[PLANNED]
    assert item.done
    assert item.detail == "2 sessions en 2026-2027, 3 places pour 5 élèves de 3e : il manque 2 places"


@pytest.mark.django_db
def test_lycee_counts_the_candidates_only(school):
    school.type = "lycee"
    school.save()
    session = make_session(school, grade="terminale")
    enrol(session, [PupilFactory(school=school).id])
    item = _items(school)[ENROLLED]
    assert item.done and item.detail == "1 candidat inscrit"


@pytest.mark.django_db
def test_certification_links_answer_for_the_school_admin(client_for, school, school_admin):
    make_session(school)
    client = client_for(school_admin)
    html = client.get(reverse("home")).content.decode()
    steps = html[html.index('data-step="5"') :]
    hrefs = set(re.findall(r'href="(/etablissements/[^"#]*)"', steps))
    assert url("surveillance", school) in hrefs and url("session_create", school) in hrefs
    for href in hrefs:
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_hand_ticks_left_for_planning_are_no_longer_offered(client_for, school, school_admin):
    tick = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "certif_sessions"})
    assert client_for(school_admin).post(tick, {"done": "1"}).status_code == 404


@pytest.mark.django_db
def test_checklist_query_count_does_not_grow_with_sessions_and_candidates(client_for, school, school_admin):
    client = client_for(school_admin)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for room in ("A", "B", "C"):
        session = make_session(school, room=room, invigilators=[("M. Dupont", None), ("Mme Roy", None)])
        enrol(session, [pupil.id for pupil in PupilFactory.create_batch(2, school=school)])
    MembershipFactory(school=school, role="member")
    with CaptureQueriesContext(connection) as after:
        html = client.get(reverse("home")).content.decode()
    assert "3 sessions en 2026-2027" in html
    assert len(after) == len(before)


FINALISE = "Finaliser les sessions"


def _set_status(session, status, **fields):
    for name, value in {"status": status, **fields}.items():
        setattr(session, name, value)
    session.save()


@pytest.mark.django_db
def test_finalising_is_ticked_once_every_past_session_is_finalised(client_for, school, school_admin):
    item = _items(school)[FINALISE]
    assert not item.done and item.detail == "" and not item.key
    past = make_session(school, date=datetime.date(2026, 11, 20))
    make_session(school, room="B")  # still to come: nothing to finalise yet
    item = _items(school)[FINALISE]
    assert not item.done and item.detail == "0 session finalisée, 1 à finaliser, résultats publiés pour 0 session"
    _set_status(past, "finalized")
    item = _items(school)[FINALISE]
    assert item.done and item.detail == "1 session finalisée, résultats publiés pour 0 session"
    assert item.url == url("sessions", school)
    _set_status(past, "processed", published_at=timezone.now())
    item = _items(school)[FINALISE]
    assert item.done and item.detail == "1 session finalisée, résultats publiés pour 1 session"
    assert item.url == url("results_by_class", school)
    assert client_for(school_admin).get(item.url).status_code == 200


@pytest.mark.django_db
def test_finalising_is_no_longer_ticked_by_hand(client_for, school, school_admin):
    tick = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "certif_finalise"})
    assert client_for(school_admin).post(tick, {"done": "1"}).status_code == 404
