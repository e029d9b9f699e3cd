"""Sign-in protection (issue 15): one policy for the four typed secrets — a password, a campaign code, a
certification access code, an invigilator's password. Per account (or browser) first; per address only far above a
computer room; the address read through the configured proxies only."""

import html
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import rate_limits
from certif.candidates.enrolment import enrol
from orga.campaigns.services import create_campaign
from tests.certif.helpers import make_session
from tests.factories import PASSWORD, PupilFactory, UserFactory

SCHOOL = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
PROXY = "10.0.0.1"
ROOM = 35


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Scenario:
    """One secret: who types it (`account()`: a new account's or browser's client), a wrong and a right try."""

    name: str
    account: object
    wrong: object
    right: object

    def refused(self, response):
        if self.name == "password":  # allauth's form: the refusal is the form's error
            return response.status_code == 200 and "Trop d&#x27;essais erronés" in response.content.decode()
        return response.status_code == 429

    def accepted(self, response):
        return response.status_code == 302


def _pupil_client(school, pupil=None):
    client = Client()
    client.force_login((pupil or PupilFactory(school=school, user=UserFactory())).user)
    return client


def _password(school):
    def account():
        client = Client()
        client.username = PupilFactory(school=school, user=UserFactory()).user.username
        return client

    def attempt(secret):
        def post(client, **meta):
            return client.post(reverse("account_login"), {"login": client.username, "password": secret}, **meta)

        return post

    return Scenario("password", account, attempt("pas-le-bon"), attempt(PASSWORD))


def _campaign_code(school, teacher):
    campaign = create_campaign(
        school=school, owner=teacher, name="Rentrée", type="assessment", competence_codes=["1.1"]
    )

    def attempt(code):
        return lambda client, **meta: client.post(reverse("orga:enter_code"), {"code": code}, **meta)

    return Scenario("campaign code", lambda: _pupil_client(school), attempt("WRONGX922"), attempt(campaign.code))


def _access_code(school):
    session = make_session(school, capacity=ROOM + 5)

    def account():
        pupil = PupilFactory(school=school, user=UserFactory())
        enrol(session, [pupil.id])
        return _pupil_client(school, pupil)

    def attempt(code):
        return lambda client, **meta: client.post(reverse("certif:arrival"), {"code": code}, **meta)

    return Scenario("access code", account, attempt("ZZZZ99"), attempt(session.access_code))


def _invigilator(school):
    session = make_session(school)

    def attempt(password):
        def post(client, **meta):
            data = {"number": str(session.number), "password": password}
            return client.post(reverse("certif:invigilator_sign_in"), data, **meta)

        return post

    return Scenario("invigilator", Client, attempt("WRONG1"), attempt(session.invigilator_password))


SECRETS = ["password", "campaign code", "access code", "invigilator"]


@pytest.fixture(params=SECRETS)
def secret(request, school, teacher):
    return {
        "password": lambda: _password(school),
        "campaign code": lambda: _campaign_code(school, teacher),
        "access code": lambda: _access_code(school),
        "invigilator": lambda: _invigilator(school),
    }[request.param]()


@pytest.mark.django_db
def test_one_account_is_stopped_while_the_same_address_works_for_another(secret):
    clumsy, classmate = secret.account(), secret.account()
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        assert not secret.refused(secret.wrong(clumsy, REMOTE_ADDR=SCHOOL))
    assert secret.refused(secret.right(clumsy, REMOTE_ADDR=SCHOOL))
    assert secret.refused(secret.right(clumsy, REMOTE_ADDR=ELSEWHERE))  # per account, wherever it types from
    assert secret.accepted(secret.right(classmate, REMOTE_ADDR=SCHOOL))


@pytest.mark.django_db
def test_a_room_of_35_making_3_mistakes_each_is_never_blocked(secret):
    room = [secret.account() for _ in range(ROOM)]
    for _ in range(3):
        for person in room:
            assert not secret.refused(secret.wrong(person, REMOTE_ADDR=SCHOOL))
    assert all(secret.accepted(secret.right(person, REMOTE_ADDR=SCHOOL)) for person in room)


def test_the_address_limit_is_far_above_a_few_rooms():
    assert rate_limits.MAX_PER_ADDRESS >= 2 * ROOM * 3
    assert rate_limits.MAX_PER_SESSION >= 2 * ROOM * 3
    assert 5 <= rate_limits.MAX_PER_ACCOUNT <= 10


@pytest.fixture
def small_address_limit(monkeypatch):
    monkeypatch.setitem(rate_limits.MAXIMA, "address", 3)


@pytest.mark.django_db
def test_the_address_limit_stops_guessing_spread_over_accounts(secret, small_address_limit):
    for _ in range(3):
        secret.wrong(secret.account(), REMOTE_ADDR=SCHOOL)
    person = secret.account()
    assert secret.refused(secret.right(person, REMOTE_ADDR=SCHOOL))
    assert secret.accepted(secret.right(person, REMOTE_ADDR=ELSEWHERE))


@pytest.mark.django_db
def test_a_forged_forwarded_for_is_ignored_without_a_configured_proxy(secret, small_address_limit, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(3):
        secret.wrong(secret.account(), REMOTE_ADDR=SCHOOL, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}")
    person = secret.account()
    assert secret.refused(secret.right(person, REMOTE_ADDR=SCHOOL, HTTP_X_FORWARDED_FOR=ELSEWHERE))


@pytest.mark.django_db
def test_the_forwarded_for_is_honoured_behind_the_configured_proxy(secret, small_address_limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):  # the proxy appends the school's address; what the client put before it is forged
        secret.wrong(secret.account(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {SCHOOL}")
    person = secret.account()
    assert secret.refused(secret.right(person, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {SCHOOL}"))
    assert secret.accepted(secret.right(person, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SCHOOL}, {ELSEWHERE}"))


@pytest.mark.django_db
def test_the_refusal_says_in_french_when_to_retry_and_whom_to_ask(secret):
    person = secret.account()
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        secret.wrong(person, REMOTE_ADDR=SCHOOL)
    page = html.unescape(secret.right(person, REMOTE_ADDR=SCHOOL).content.decode())
    assert re.search(r"Trop d'essais erronés en peu de temps (pour ce compte|depuis ce navigateur)\. "
                     r"Réessayez à partir de \d{1,2} h \d{2}\.", page)  # fmt: skip
    advice = {
        "password": rate_limits.PASSWORD,
        "campaign code": rate_limits.CAMPAIGN_CODE,
        "access code": rate_limits.CERTIFICATION_ACCESS,
        "invigilator": rate_limits.INVIGILATOR_PASSWORD,
    }[secret.name].advice
    assert advice in page
    if secret.name != "invigilator":  # pupils type the other three: they are told to ask their teacher
        assert "professeur" in advice


@pytest.mark.django_db
def test_an_account_s_username_and_e_mail_count_together(school_admin):
    client = Client(REMOTE_ADDR=SCHOOL)
    for n in range(rate_limits.MAX_PER_ACCOUNT):
        login = school_admin.email.upper() if n % 2 else school_admin.username
        client.post(reverse("account_login"), {"login": login, "password": "pas-le-bon"})
    response = client.post(reverse("account_login"), {"login": school_admin.email, "password": PASSWORD})
    assert "Trop d&#x27;essais erronés en peu de temps pour ce compte" in response.content.decode()


@pytest.mark.django_db
def test_a_login_matching_no_account_is_limited_as_an_account_is():
    client = Client(REMOTE_ADDR=SCHOOL)
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        client.post(reverse("account_login"), {"login": "personne", "password": "pas-le-bon"})
    response = client.post(reverse("account_login"), {"login": " PERSONNE", "password": "pas-le-bon"})
    assert "pour ce compte" in response.content.decode()


@pytest.mark.django_db
def test_a_new_sheet_from_the_teacher_lifts_the_pupil_s_limit(school, django_capture_on_commit_callbacks):
    from orga.pupils.accounts import generate_accounts, reset_passwords

    pupil = PupilFactory(school=school)
    generate_accounts([pupil])
    pupil.refresh_from_db()
    client = Client(REMOTE_ADDR=SCHOOL)
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        client.post(reverse("account_login"), {"login": pupil.user.username, "password": "pas-le-bon"})
    with django_capture_on_commit_callbacks(execute=True):
        credential = reset_passwords([pupil])[0]
    response = client.post(reverse("account_login"), {"login": credential.username, "password": credential.password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_reset_by_e_mail_lifts_the_account_s_limit(school_admin):
    from django.core import mail

    client = Client(REMOTE_ADDR=SCHOOL)
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        client.post(reverse("account_login"), {"login": school_admin.email, "password": "pas-le-bon"})
    client.post(reverse("account_reset_password"), {"email": school_admin.email})
    link = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(form_url, {"password1": "Une-phrase-neuve-2026", "password2": "Une-phrase-neuve-2026"})
    response = client.post(reverse("account_login"), {"login": school_admin.email, "password": "Une-phrase-neuve-2026"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_admin_site_signs_in_through_the_limited_sign_in_page(superuser, teacher):
    client = Client(REMOTE_ADDR=SCHOOL)
    response = client.post(reverse("admin:login"), {"username": superuser.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in by Django's own form
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        client.post(reverse("account_login"), {"login": superuser.username, "password": "pas-le-bon"})
    response = client.post(reverse("account_login"), {"login": superuser.username, "password": PASSWORD})
    assert "Trop d&#x27;essais erronés" in response.content.decode()
    cache.clear()
    client.post(reverse("account_login"), {"login": superuser.username, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")
    client = Client()
    client.force_login(teacher)
    assert client.get(reverse("admin:login")).status_code == 403


@pytest.mark.django_db
def test_wrong_current_passwords_count_against_the_account(client_for, teacher):
    client = client_for(teacher)
    wrong = {"oldpassword": "pas-le-bon", "password1": "Une-phrase-neuve-2026", "password2": "Une-phrase-neuve-2026"}
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        assert "Trop d&#x27;essais" not in client.post(reverse("account_change_password"), wrong).content.decode()
    right = {**wrong, "oldpassword": PASSWORD}
    response = client.post(reverse("account_change_password"), right)
    assert "Trop d&#x27;essais erronés en peu de temps pour ce compte" in response.content.decode()
    sign_in = {"login": teacher.username, "password": PASSWORD}
    response = Client(REMOTE_ADDR=SCHOOL).post(reverse("account_login"), sign_in)
    assert "Trop d&#x27;essais erronés" in response.content.decode()  # the same account's limit as at sign-in
