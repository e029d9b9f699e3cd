"""Sign-in through the ENT, against a real OpenID Connect provider run on loopback (tests/oidc_provider/).

pixdeploy's side runs in Django's test client; the ENT's side (its sign-in form, its authorization endpoint) is
driven over HTTP with requests, as a browser would; pixdeploy's callback then talks to the ENT itself (discovery,
token, JWKS, userinfo). The faulty ID tokens are forged by the provider, in the real flow (validator.py).
"""

from urllib.parse import urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.oidc.config import parse_providers
from orga.pupils.accounts import generate_accounts
from tests.factories import MembershipFactory, PupilFactory, UserFactory
from tests.oidc_provider import CALLBACK, PASSWORD, PROVIDER_ID, PUPIL_INE, TEACHER_EMAIL


@pytest.fixture
def ent(oidc_provider, settings):
    """pixdeploy configured from the environment (OIDC_PROVIDERS) with the test ENT."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": parse_providers(f"[{__import__('json').dumps(oidc_provider.app())}]"),
        },
    }
    return oidc_provider


@pytest.fixture
def ent_pupil(school):
    pupil = PupilFactory(school=school, ine=PUPIL_INE, user=None)
    generate_accounts([pupil])  # a temporary password to change at the first local sign-in
    pupil.refresh_from_db()
    return pupil


def through_ent(client, username, process="login"):
    """Click « Se connecter avec ENT de test », sign in on the ENT as `username`, come back: pixdeploy's answer."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}), {"process": process})
    assert start.status_code == 302, start
    browser = requests.Session()
    form = browser.get(start["Location"], timeout=10)  # the ENT asks who we are first
    assert "/connexion/" in form.url
    signed_in = browser.post(
        form.url,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["ent_csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    back = browser.get(urljoin(form.url, signed_in.headers["Location"]), allow_redirects=False, timeout=10)
    location = urlsplit(back.headers["Location"])
    assert location.path == CALLBACK, back.headers["Location"]
    return client.get(f"{location.path}?{location.query}")


def signed_in_user(client):
    return get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_a_pupil_is_matched_by_ine_and_linked_for_good(client, ent, ent_pupil):
    response = through_ent(client, "eleve")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in_user(client) == ent_pupil.user
    link = SocialAccount.objects.get(user=ent_pupil.user)
    assert (link.provider, link.uid) == (PROVIDER_ID, "ent-eleve-1")
    # Signed in through the ENT: no local password asked for, though the temporary one is still to change.
    assert client.get(reverse("home")).status_code == 200
    # Next time the link alone signs in, even if the pupil's INE changed in the meantime.
    client.logout()
    ent_pupil.__class__.objects.filter(pk=ent_pupil.pk).update(ine="0600000000A")
    through_ent(client, "eleve")
    assert signed_in_user(client) == ent_pupil.user


def test_a_temporary_password_still_has_to_be_changed_at_a_local_sign_in(client, ent, ent_pupil):
    through_ent(client, "eleve")
    client.logout()
    client.force_login(ent_pupil.user)  # a session opened otherwise than through the ENT
    assert client.get(reverse("home"))["Location"] == reverse("account_change_password")


def test_an_unmatched_identity_is_refused_and_no_account_is_created(client, ent, ent_pupil):
    users = get_user_model().objects.count()
    response = through_ent(client, "inconnu")
    assert response.status_code == 403
    page = response.content.decode()
    assert "n'est relié à aucun compte pixdeploy" in page and "ent-inconnu" in page
    assert "administrateur" in page
    assert signed_in_user(client) is None
    assert get_user_model().objects.count() == users and not SocialAccount.objects.exists()


def test_an_inactive_pupil_is_refused(client, ent, ent_pupil):
    ent_pupil.__class__.objects.filter(pk=ent_pupil.pk).update(is_active=False)
    assert through_ent(client, "eleve").status_code == 403
    assert signed_in_user(client) is None


def test_a_teacher_is_matched_by_a_verified_address(client, ent, school):
    teacher = MembershipFactory(school=school, user=UserFactory(username="prof.ent", email=TEACHER_EMAIL)).user
    response = through_ent(client, "prof")  # the ENT writes the address in capitals: matched all the same
    assert response.status_code == 302
    assert signed_in_user(client) == teacher


def test_an_unverified_address_matches_nobody(client, ent, school):
    MembershipFactory(school=school, user=UserFactory(username="prof.ent", email=TEACHER_EMAIL))
    assert through_ent(client, "prof-non-verifie").status_code == 403
    assert signed_in_user(client) is None


def test_an_address_does_not_match_a_pupil_or_a_user_of_no_school(client, ent, school):
    UserFactory(username="sans.ecole", email=TEACHER_EMAIL)
    assert through_ent(client, "prof").status_code == 403


@pytest.mark.parametrize(
    "user, reason",
    [
        ("jeton-audience", "InvalidAudienceError"),
        ("jeton-nonce", "nonce"),
        ("jeton-signature", "InvalidSignatureError"),
        ("jeton-hs256", "algorithm 'HS256'"),
        ("userinfo-autre", "userinfo's sub differs"),
    ],
)
def test_a_wrong_audience_nonce_signature_algorithm_or_userinfo_is_refused(
    client, ent, ent_pupil, user, reason, caplog
):
    response = through_ent(client, user)
    assert reason in caplog.text  # refused for that reason, not another
    assert response.status_code == 401
    assert "Connexion par l'ENT refusée" in response.content.decode()
    assert signed_in_user(client) is None and not SocialAccount.objects.exists()


def test_a_provider_configured_in_the_admin_site_works_too(client, oidc_provider, ent_pupil):
    config = oidc_provider.app()
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=PROVIDER_ID,
        name="ENT de l'académie",
        client_id=config["client_id"],
        secret=config["secret"],
        settings={"server_url": oidc_provider.url, "ine_claim": "FrEduCtEleveINE", "oauth_pkce_enabled": True},
    )
    page = client.get(reverse("account_login")).content.decode()
    assert "Se connecter avec ENT de l&#x27;académie" in page
    through_ent(client, "eleve")
    assert signed_in_user(client) == ent_pupil.user
    assert app.pk


def test_local_accounts_keep_signing_in(client, ent, teacher, password):
    page = client.get(reverse("account_login")).content.decode()
    assert "Se connecter avec ENT de test" in page
    response = client.post(reverse("account_login"), {"login": "enseignant", "password": password})
    assert response.status_code == 302 and signed_in_user(client) == teacher


def test_no_ent_button_without_a_provider(client, db):
    assert "Se connecter avec" not in client.get(reverse("account_login")).content.decode()


def test_an_identity_linked_by_the_school_admin_signs_in(client, ent, school, school_admin):
    pupil = PupilFactory(school=school, user=UserFactory(username="sans.ine", email=""))
    assert through_ent(client, "inconnu").status_code == 403  # the page shows the pupil « ent-inconnu »
    admin = Client()
    admin.force_login(school_admin)
    url = reverse("orga:pupil_ent_link", kwargs={"uai": school.uai, "pupil_id": pupil.id})
    admin.post(url, {"provider": PROVIDER_ID, "identifier": "ent-inconnu"})
    assert through_ent(client, "inconnu").status_code == 302
    assert signed_in_user(client) == pupil.user


def test_a_signed_in_user_links_their_own_ent_identity(client, ent, school):
    pupil = PupilFactory(school=school, user=UserFactory(username="sans.ine", email=""))
    client.force_login(pupil.user)
    response = through_ent(client, "inconnu", process="connect")
    assert response["Location"] == reverse("socialaccount_connections")
    assert "ENT de test « ent-inconnu »" in client.get(response["Location"]).content.decode()
    client.logout()
    through_ent(client, "inconnu")
    assert signed_in_user(client) == pupil.user
    # « Délier » on the same page: the next sign-in through the ENT is refused again.
    client.post(reverse("socialaccount_connections"), {"account": SocialAccount.objects.get(user=pupil.user).pk})
    assert not SocialAccount.objects.exists()
    client.logout()
    assert through_ent(client, "inconnu").status_code == 403
