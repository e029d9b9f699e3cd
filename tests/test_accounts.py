import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import rate_limits
from accounts.adapter import AccountAdapter
from accounts.client_address import client_address

from .factories import PASSWORD, UserFactory

SCHOOL_ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's real limiter counts in Django's cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def sign_in_from(address, login, password):
    return Client(REMOTE_ADDR=address).post(reverse("account_login"), {"login": login, "password": password})


@pytest.mark.django_db
def test_user_model_is_custom_and_email_optional():
    user = UserFactory(username="noemie.durand0302", email="")
    assert user._meta.label == "accounts.User"
    assert user.email == ""
    assert user.must_change_password is False


@pytest.mark.django_db
def test_sign_in_with_username(client, pupil, password):
    response = client.post(reverse("account_login"), {"login": "lea.martin1405", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == pupil


@pytest.mark.django_db
def test_sign_in_with_email(client, school_admin, password):
    response = client.post(reverse("account_login"), {"login": school_admin.email, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == school_admin


@pytest.mark.django_db
def test_wrong_password_gets_a_french_message(client, pupil):
    response = client.post(reverse("account_login"), {"login": "lea.martin1405", "password": "faux"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "incorrect" in html
    assert "fr-alert--error" in html


@pytest.mark.django_db
def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"username": "intrus", "email": "intrus@exemple.fr", "password1": "Xy-12345678", "password2": "Xy-12345678"},
    )
    assert "Inscriptions fermées" in response.content.decode()
    assert not get_user_model().objects.filter(username="intrus").exists()


@pytest.mark.django_db
def test_sign_out(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
def test_password_change(client, teacher, password):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "Un-nouveau-mot-2-passe", "password2": "Un-nouveau-mot-2-passe"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Un-nouveau-mot-2-passe")


@pytest.mark.django_db
def test_the_new_password_may_not_be_the_current_one(client, teacher, password):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"), {"oldpassword": password, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert "Choisissez un mot de passe différent du mot de passe actuel." in response.content.decode()


@pytest.mark.django_db
def test_the_reset_page_sends_pupils_to_their_teacher(client):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert "demandez un nouveau mot de passe à votre professeur" in html
    assert "Recevoir le lien par courriel" in html


@pytest.mark.django_db
def test_password_reset_by_email_end_to_end(client, school_admin):
    response = client.post(reverse("account_reset_password"), {"email": school_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school_admin.email]
    link = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "Reinitialise-2026!", "password2": "Reinitialise-2026!"})
    assert response.status_code == 302
    school_admin.refresh_from_db()
    assert school_admin.check_password("Reinitialise-2026!")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_reset_password"],
)
def test_account_pages_are_in_french_with_the_dsfr(client, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert '<html lang="fr"' in html
    assert "dsfr.min.css" in html
    assert "fr-input" in html


# --- A class signs in together -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_whole_computer_room_signs_in_from_one_address():
    pupils = UserFactory.create_batch(200)
    statuses = [sign_in_from(SCHOOL_ADDRESS, pupil.username, PASSWORD).status_code for pupil in pupils]
    assert statuses == [302] * 200


@pytest.mark.django_db
def test_one_pupils_failures_do_not_lock_out_the_room(pupil, password):
    clumsy = UserFactory()
    for _ in range(11):
        sign_in_from(SCHOOL_ADDRESS, clumsy.username, "pas-le-bon")
    assert sign_in_from(SCHOOL_ADDRESS, pupil.username, password).status_code == 302


@pytest.mark.django_db
def test_an_account_is_still_locked_after_its_failures_from_anywhere(pupil, password):
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        sign_in_from(SCHOOL_ADDRESS, pupil.username, "pas-le-bon")
    response = sign_in_from("198.51.100.20", pupil.username, password)
    assert response.status_code == 200
    assert "Trop d&#x27;essais erronés en peu de temps pour ce compte" in response.content.decode()


@pytest.mark.django_db
def test_failures_from_one_address_stop_far_above_a_class(monkeypatch, pupil, password):
    monkeypatch.setitem(rate_limits.MAXIMA, "address", 3)
    for n in range(3):
        sign_in_from(SCHOOL_ADDRESS, f"inconnu{n}", "pas-le-bon")
    assert sign_in_from(SCHOOL_ADDRESS, pupil.username, password).status_code == 200
    assert sign_in_from("198.51.100.20", pupil.username, password).status_code == 302


@pytest.mark.django_db
def test_too_many_sign_ins_get_a_french_page(settings, pupil, password):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    sign_in_from(SCHOOL_ADDRESS, pupil.username, "pas-le-bon")
    response = sign_in_from(SCHOOL_ADDRESS, pupil.username, password)
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "dsfr.min.css" in html
    assert "Trop de connexions" in html


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header is anyone's to forge
        (1, "6.6.6.6, 192.0.2.4", "192.0.2.4"),  # the proxy appended the address it saw; the rest is forgeable
        (2, "6.6.6.6, 192.0.2.4, 172.16.0.2", "192.0.2.4"),
        (1, "", "10.0.0.1"),  # a request that did not come through the proxy (health check)
        (2, "192.0.2.4", "10.0.0.1"),  # fewer entries than proxies: not what the proxies send
        (1, "6.6.6.6, pas-une-adresse", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)
    assert client_address(request) == expected


def test_allauth_reads_the_same_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.4")
    assert AccountAdapter().get_client_ip(request) == "192.0.2.4"


def test_allauth_is_told_the_same_number_of_proxies():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT == 0
