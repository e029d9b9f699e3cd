"""A pupil signs in through the ENT in a real browser: pixdeploy's « Se connecter avec … » button, the ENT's own
sign-in form (a real OpenID Connect provider on loopback, tests/oidc_provider/), and back on their home, signed in,
with no local password asked for; axe-core finds no serious or critical violation on the sign-in page."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.urls import reverse

from orga.pupils.accounts import generate_accounts
from tests.factories import PupilFactory, SchoolFactory
from tests.oidc_provider import CLIENT_ID, PASSWORD, PROVIDER_ID, PUPIL_INE, SECRET

from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


@pytest.fixture
def ent_app(oidc_provider):
    """The ENT as a school's deployment adds it in the admin site (a SocialApp row)."""
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id=PROVIDER_ID,
        name="ENT Lycée connecté",
        client_id=CLIENT_ID,
        secret=SECRET,
        settings={"server_url": oidc_provider.url, "ine_claim": "FrEduCtEleveINE", "oauth_pkce_enabled": True},
    )


def test_a_pupil_signs_in_through_the_ent(page, live_server, ent_app, settings):
    school = SchoolFactory(name="Collège Rosa-Parks", uai="0693834T")
    pupil = PupilFactory(school=school, ine=PUPIL_INE, first_name="Léa", user=None)
    generate_accounts([pupil])  # their sheet's temporary password: not needed through the ENT
    pupil.refresh_from_db()

    page.goto(live_server.url + reverse("account_login"))
    assert violations(page) == []  # axe-core is an inline script: checked before the policy below
    # Under production's Content-Security-Policy: its form-action must let the button's redirect reach the ENT.
    settings.CONTENT_SECURITY_POLICY = settings.STRICT_CONTENT_SECURITY_POLICY
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name="Se connecter avec ENT Lycée connecté").click()
    page.wait_for_load_state()
    assert page.url.startswith(ent_app.settings["server_url"].removesuffix("/o"))  # on the ENT's own page
    page.get_by_label("Identifiant ENT").fill("eleve")
    page.get_by_label("Mot de passe ENT").fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()  # no consent screen: the application is trusted
    page.wait_for_load_state()

    assert page.url == live_server.url + reverse("home")
    assert page.get_by_role("heading", name="J'ai un code").is_visible()
    assert SocialAccount.objects.get(user=pupil.user).uid == "ent-eleve-1"


def test_an_unknown_identity_is_refused_with_a_page_saying_what_to_do(page, live_server, ent_app):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name="Se connecter avec ENT Lycée connecté").click()
    page.get_by_label("Identifiant ENT").fill("inconnu")
    page.get_by_label("Mot de passe ENT").fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Compte ENT non reconnu").is_visible()
    assert "ent-inconnu" in page.locator("main").inner_text()  # the identifier to hand to the school admin
    assert violations(page) == []
    assert not SocialAccount.objects.exists()
