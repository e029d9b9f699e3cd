"""The role dashboards of the home page at a phone's and a desktop's width: axe finds no serious violation and
nothing scrolls sideways (the pupil's convocation and result, the teacher's classes' certification, the session
of the day)."""

import datetime

import pytest
from django.utils import timezone

from certif.sessions.models import Invigilator
from tests.certif.helpers import enrol_pupil, make_session, position
from tests.factories import PASSWORD, DivisionFactory, MembershipFactory, SchoolFactory, UserFactory
from tests.test_home_dashboards import TODAY, _published

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    school = SchoolFactory(name="Collège Olympe-de-Gouges", uai="0693834T")
    division = DivisionFactory(school=school, name="3e A")
    teacher = MembershipFactory(school=school, role="member", user=UserFactory(username="prof.gouges"))
    teacher.divisions.add(division)
    today = make_session(school, date=TODAY, room="Salle informatique 2")
    Invigilator.objects.create(session=today, name="Prof", user=teacher.user)
    candidate = enrol_pupil(today, "GUYOT", "Eliott", division, username="eliott", extra=33)
    enrol_pupil(make_session(school, date=datetime.date(2027, 4, 8)), "MARTIN", "Léa", division)
    _published(enrol_pupil(make_session(school, date=datetime.date(2027, 4, 9)), "DURAND", "Tom", division))
    position(candidate.pupil, teacher.user, {"1.1": 3, "2.1": 2}, on=datetime.date(2025, 10, 5))
    position(candidate.pupil, teacher.user, {"1.1": 4}, on=datetime.date(2026, 10, 5))
    return school


@pytest.mark.parametrize("username", ["eliott", "prof.gouges"])
def test_role_homes_at_390_and_1280_px(page, live_server, demo, username):
    sign_in(page, live_server, username, PASSWORD)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert violations(page) == []
    if username == "eliott":
        assert page.get_by_role("link", name="Commencer ma certification").is_visible()
        assert page.get_by_role("heading", name="Mon profil, année après année").is_visible()
    else:
        assert page.get_by_role("link", name="Espace surveillant").first.is_visible()
        assert page.get_by_role("heading", name="La certification de mes classes").is_visible()
