import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import rate_limits
from certif.candidates.enrolment import enrol
from certif.invigilation import services
from certif.invigilation.identity import identity_matches, names_match
from certif.invigilation.views.invigilator import SESSION_KEY
from certif.sessions.models import Candidate, Session
from tests.factories import PupilFactory, UserFactory

from .helpers import make_session, url

BIRTH = datetime.date(2012, 5, 14)


@pytest.fixture
def candidate(session, pupil):
    enrol(session, [pupil.pupil.id])
    return Candidate.objects.get(session=session, pupil=pupil.pupil)


def identity(**changes):
    return {"last_name": "Martin", "first_name": "Lea", "birthdate": "2012-05-14"} | changes


# Identity rules (pure)


@pytest.mark.parametrize(
    "typed,expected",
    [("martin", True), ("  MARTIN ", True), ("Mártin", True), ("Dupont", False), ("", False)],
)
def test_names_match_without_case_accents_or_spaces(typed, expected):
    assert names_match(typed, "MARTIN") is expected


def test_hyphen_and_preferred_name():
    assert names_match("jean pierre", "Jean-Pierre")
    assert names_match("Durand", "MARTIN", "DURAND")


def test_identity_needs_the_same_birthdate():
    enrolled = {"enrolled_last_names": ("MARTIN",), "enrolled_first_name": "Léa", "enrolled_birthdate": BIRTH}
    assert identity_matches(last_name="martin", first_name="lea", birthdate=BIRTH, **enrolled)
    assert not identity_matches(last_name="martin", first_name="lea", birthdate=datetime.date(2012, 5, 15), **enrolled)
    assert not identity_matches(last_name="martin", first_name="lea", birthdate=None, **enrolled)


# Pupil side


def test_home_links_to_certification(client_for, pupil):
    response = client_for(pupil).get("/")
    assert reverse("certif:arrival").encode() in response.content


def test_arrival_code_identity_then_waiting(client_for, pupil, session, candidate):
    client = client_for(pupil)
    response = client.post(reverse("certif:arrival"), {"code": session.access_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    response = client.post(response["Location"], identity(last_name="  martin", first_name="LÉA"))
    assert response["Location"] == reverse("certif:arrival_waiting", kwargs={"candidate_id": candidate.id})
    candidate.refresh_from_db()
    assert candidate.identity_confirmed_at is not None and candidate.presence_confirmed_at is None
    page = client.get(response["Location"])
    assert 'hx-trigger="every 5s"' in page.content.decode()
    assert "présence est confirmée" not in page.content.decode()


def test_wrong_identity_refused_with_a_french_message(client_for, pupil, candidate):
    url = reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    response = client_for(pupil).post(url, identity(birthdate="2012-05-15"))
    assert response.status_code == 400
    assert "ne correspondent pas à votre inscription" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.identity_confirmed_at is None


def _wrong_code_response(client, code):
    return client.post(reverse("certif:arrival"), {"code": code})


def test_wrong_code_message(client_for, pupil, candidate):
    response = _wrong_code_response(client_for(pupil), "ZZZZ99")
    assert response.status_code == 400
    assert escape(services.WRONG_CODE) in response.content.decode()


def test_not_enrolled_pupil_gets_the_wrong_code_message(client_for, school, session, candidate):
    other = PupilFactory(school=school, user=UserFactory(username="autre.eleve")).user
    response = _wrong_code_response(client_for(other), session.access_code)
    assert response.status_code == 400
    assert escape(services.WRONG_CODE) in response.content.decode()


def test_other_schools_pupil_gets_the_wrong_code_message(client_for, other_school, session, candidate):
    stranger = PupilFactory(school=other_school, user=UserFactory(username="eleve.ailleurs")).user
    response = _wrong_code_response(client_for(stranger), session.access_code)
    assert escape(services.WRONG_CODE) in response.content.decode()
    # Nor can they open another pupil's candidacy by its address.
    url = reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    assert client_for(stranger).get(url).status_code == 404


def test_finalised_session_refuses_entry(client_for, pupil, session, candidate):
    Session.objects.filter(id=session.id).update(status=Session.Status.FINALISED)
    response = _wrong_code_response(client_for(pupil), session.access_code)
    assert escape(services.WRONG_CODE) in response.content.decode()
    url = reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    assert client_for(pupil).get(url).status_code == 404


def test_wrong_tries_throttled_per_account_whatever_the_forwarded_address(client_for, pupil, session, candidate):
    client = client_for(pupil)
    for n in range(10):
        response = client.post(reverse("certif:arrival"), {"code": "ZZZZ99"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 400
    # Even the right code is refused now, with a page that does not tell whether it exists.
    response = client.post(
        reverse("certif:arrival"), {"code": session.access_code}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429
    assert "Trop d&#x27;essais" in response.content.decode()
    assert session.access_code not in response.content.decode()
    url = reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    assert client.post(url, identity()).status_code == 429


def test_wrong_identities_count_towards_the_same_limit(client_for, pupil, candidate):
    client = client_for(pupil)
    url = reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id})
    for _ in range(10):
        assert client.post(url, identity(first_name="Zoé")).status_code == 400
    assert client.post(url, identity()).status_code == 429


def test_arrival_pages_anonymous_and_wrong_role(client_for, school_admin, candidate):
    urls = [
        reverse("certif:arrival"),
        reverse("certif:arrival_identity", kwargs={"candidate_id": candidate.id}),
        reverse("certif:arrival_waiting", kwargs={"candidate_id": candidate.id}),
    ]
    for page_url in urls:
        response = client_for(None).get(page_url)
        assert response.status_code == 302 and "/login" in response["Location"]
        assert client_for(school_admin).get(page_url).status_code == 403


# Invigilator side


def sign_in_invigilator(client, session, password=None):
    return client.post(
        reverse("certif:invigilator_sign_in"),
        {"number": str(session.number), "password": password or session.invigilator_password},
    )


def test_invigilator_signs_in_without_an_account(client, session):
    response = sign_in_invigilator(client, session)
    assert response["Location"] == reverse("certif:invigilation")
    assert client.session[SESSION_KEY] == session.id
    assert client.get(reverse("certif:invigilation")).status_code == 200


def test_password_of_another_session_refused(client, school, session):
    other = make_session(school, room="Salle 200")
    response = sign_in_invigilator(client, session, password=other.invigilator_password)
    assert response.status_code == 400
    assert "ne correspondent à aucune session ouverte" in response.content.decode()
    assert SESSION_KEY not in client.session


def _wrong_sign_ins(client, session, count, **headers):
    for _ in range(count):
        client.post(
            reverse("certif:invigilator_sign_in"), {"number": str(session.number), "password": "WRONG1"}, **headers
        )


def test_invigilator_sign_in_throttled_per_browser(client, session):
    for n in range(rate_limits.MAX_PER_ACCOUNT):
        _wrong_sign_ins(client, session, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = sign_in_invigilator(client, session)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_pupil_typing_wrong_passwords_does_not_lock_the_invigilator_out(session):
    # Same address (the school's), another browser: the pupil's tries stop their own browser only.
    pupil_browser, invigilator_browser = Client(), Client()
    _wrong_sign_ins(pupil_browser, session, rate_limits.MAX_PER_ACCOUNT + 3)
    assert sign_in_invigilator(pupil_browser, session).status_code == 429
    response = sign_in_invigilator(invigilator_browser, session)
    assert response["Location"] == reverse("certif:invigilation")
    assert invigilator_browser.session[SESSION_KEY] == session.id


def test_invigilator_sign_in_throttled_per_session_number_from_many_browsers(session):
    assert rate_limits.MAX_PER_SESSION >= 10 * rate_limits.MAX_PER_ACCOUNT
    counter = rate_limits.key(rate_limits.INVIGILATOR_PASSWORD, "session", str(session.number))
    cache.set(counter, rate_limits.MAX_PER_SESSION - 1, 600)
    _wrong_sign_ins(Client(), session, 1)  # the last try allowed for this number, from one more browser
    assert sign_in_invigilator(Client(), session).status_code == 429


def test_invigilator_pages_need_the_invigilator_sign_in(client_for, school_admin, pupil, candidate):
    live = reverse("certif:invigilation")
    confirm = reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id})
    for user in (None, school_admin, pupil):
        client = client_for(user)
        assert client.get(live)["Location"] == reverse("certif:invigilator_sign_in")
        assert client.post(confirm).status_code == 302
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is None


def _arrive(candidate, present=False):
    candidate.identity_confirmed_at = timezone.now()
    candidate.presence_confirmed_at = timezone.now() if present else None
    candidate.save()


def _enrol_many(school, session, count, start):
    pupils = [
        PupilFactory(school=school, last_name=f"ELEVE{start + n:03d}", first_name="Sam", user=None)
        for n in range(count)
    ]
    enrol(session, [p.id for p in pupils])
    return list(session.candidates.filter(pupil__in=pupils))


def test_live_list_order_and_constant_queries(client, school, session):
    sign_in_invigilator(client, session)
    first = _enrol_many(school, session, 3, 0)
    _arrive(first[2])
    _arrive(first[1], present=True)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("certif:invigilation"), HTTP_HX_REQUEST="true")
    names = [c.last_name for c in response.context["candidates"]]
    assert names == ["ELEVE002", "ELEVE000", "ELEVE001"]  # waiting, not arrived, present
    assert [c.arrival_label for c in response.context["candidates"]] == [
        "Identité confirmée, en attente",
        "Non arrivé",
        "Présent",
    ]
    assert "1 candidat attend votre confirmation" in response.content.decode()
    _enrol_many(school, session, 12, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("certif:invigilation"), HTTP_HX_REQUEST="true")
    assert len(response.context["candidates"]) == 15
    assert len(many) == len(few)


def test_presence_confirmed_then_the_pupil_sees_it(client_for, client, pupil, session, candidate):
    _arrive(candidate)
    sign_in_invigilator(client, session)
    response = client.post(reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id}))
    assert response["Location"] == reverse("certif:invigilation")
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is not None
    pupil_client = client_for(pupil)
    waiting_url = reverse("certif:arrival_waiting", kwargs={"candidate_id": candidate.id})
    test_url = reverse("certif:test", kwargs={"candidate_id": candidate.id})
    # The waiting page's polling leaves for the test, a whole page; so does a reload, and the access code typed again.
    assert pupil_client.get(waiting_url, HTTP_HX_REQUEST="true")["HX-Redirect"] == test_url
    assert pupil_client.get(waiting_url)["Location"] == test_url
    response = pupil_client.post(reverse("certif:arrival"), {"code": session.access_code}, follow=True)
    assert response.redirect_chain[-1][0] == test_url


def test_presence_needs_the_identity_first(client, session, candidate):
    sign_in_invigilator(client, session)
    client.post(reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id}))
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is None


def test_cancel_presence_before_the_test_only(client, session, candidate):
    _arrive(candidate, present=True)
    sign_in_invigilator(client, session)
    client.post(reverse("certif:cancel_presence", kwargs={"candidate_id": candidate.id}))
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is None and candidate.identity_confirmed_at is not None
    _arrive(candidate, present=True)
    Candidate.objects.filter(id=candidate.id).update(started_at=timezone.now())
    client.post(reverse("certif:cancel_presence", kwargs={"candidate_id": candidate.id}))
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is not None


def test_invigilator_cannot_touch_another_sessions_candidate(client, school, session, candidate):
    _arrive(candidate)
    other = make_session(school, room="Salle 200")
    sign_in_invigilator(client, other)
    client.post(reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id}))
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is None


def test_presence_actions_need_post(client, session, candidate):
    sign_in_invigilator(client, session)
    assert client.get(reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id})).status_code == 405


def test_finalised_session_closes_the_invigilator_space(client, session, candidate):
    _arrive(candidate)
    sign_in_invigilator(client, session)
    Session.objects.filter(id=session.id).update(status=Session.Status.FINALISED)
    assert client.get(reverse("certif:invigilation"))["Location"] == reverse("certif:invigilator_sign_in")
    client.post(reverse("certif:confirm_presence", kwargs={"candidate_id": candidate.id}))
    candidate.refresh_from_db()
    assert candidate.presence_confirmed_at is None
    assert sign_in_invigilator(client, session).status_code == 400


def test_another_pupil_cannot_read_a_waiting_page(client_for, school, candidate):
    _arrive(candidate)
    classmate = PupilFactory(school=school, user=UserFactory(username="camarade")).user
    url = reverse("certif:arrival_waiting", kwargs={"candidate_id": candidate.id})
    assert client_for(classmate).get(url).status_code == 404


def test_invigilator_sign_in_ignores_a_forged_forwarded_address(client, school):
    # Per address (generous) the limit holds whichever X-Forwarded-For the client sends.
    counter = rate_limits.key(rate_limits.INVIGILATOR_PASSWORD, "address", "127.0.0.1")
    cache.set(counter, rate_limits.MAX_PER_ADDRESS, rate_limits.WINDOW_SECONDS)
    other = make_session(school, room="Salle 300")
    response = client.post(
        reverse("certif:invigilator_sign_in"),
        {"number": str(other.number), "password": other.invigilator_password},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 429


def test_session_page_links_to_the_invigilator_space(client_for, school, school_admin, session):
    page = client_for(school_admin).get(url("session_detail", school, session_id=session.id))
    assert reverse("certif:invigilator_sign_in").encode() in page.content


@pytest.mark.parametrize("number", ["²", "12345678901", "abc", ""])
def test_invigilator_sign_in_with_a_malformed_number(client, session, number):
    response = client.post(reverse("certif:invigilator_sign_in"), {"number": number, "password": "X"})
    assert response.status_code == 400
    assert "ne correspondent à aucune session ouverte" in response.content.decode()


@pytest.mark.parametrize("code", ["BKTR4\x00", "' OR 1=1 --", "x" * 500])
def test_odd_codes_get_the_wrong_code_message(client_for, pupil, candidate, code):
    response = _wrong_code_response(client_for(pupil), code)
    assert response.status_code == 400
    assert escape(services.WRONG_CODE) in response.content.decode()
