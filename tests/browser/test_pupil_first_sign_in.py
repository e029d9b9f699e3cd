"""A pupil's first sign-in, on a phone and on a desktop: the temporary password from the accounts sheet, the forced
change, their home ("J'ai un code"), the campaign's code, the first question with its proposals; nothing wider than
the phone, and axe-core finds no serious or critical violation on the pages met."""

import pytest
from django.urls import reverse

from orga.campaigns.services import create_campaign
from orga.pupils.accounts import generate_accounts
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]
NEW_PASSWORD = "Ma-phrase-secrete-2026"


@pytest.fixture
def first_sign_in():
    school = SchoolFactory(name="Collège Rosa-Parks", uai="0693834T")
    teacher = MembershipFactory(school=school, role="member", user=UserFactory(username="prof.parks")).user
    pupil = PupilFactory(school=school, division=DivisionFactory(school=school, name="4e B"), user=None)
    (credential,) = generate_accounts([pupil])
    campaign = create_campaign(
        school=school, owner=teacher, name="Parcours Sécurité", type="assessment", competence_codes=["4.1", "4.2"]
    )
    return credential, campaign


@pytest.mark.parametrize("width", [390, 1280])
def test_first_sign_in_through_to_the_first_question(page, live_server, first_sign_in, width):
    credential, campaign = first_sign_in
    page.set_viewport_size({"width": width, "height": 844})
    found = {}

    def check(name):
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        found[name] = violations(page)

    page.goto(live_server.url + "/comptes/login/")
    check("connexion")
    sign_in(page, live_server, credential.username, credential.password)
    assert page.url.endswith(reverse("account_change_password")), page.url  # forced before anything else
    check("changement du mot de passe")
    page.locator('input[name="oldpassword"]').fill(credential.password)
    page.locator('input[name="password1"]').fill(NEW_PASSWORD)
    page.locator('input[name="password2"]').fill(NEW_PASSWORD)
    page.locator('main form button[type="submit"]').first.click()
    page.wait_for_load_state()
    # Their home, not an empty form: « J'ai un code », as the printed sheet says, with the code's field.
    assert page.get_by_role("heading", name="J'ai un code").is_visible() and "/password/change/" not in page.url
    check("accueil")
    page.get_by_label("Code du parcours").fill(campaign.code)
    page.get_by_role("button", name="Accéder au parcours").click()
    assert page.locator("h1").inner_text() == "Parcours Sécurité"
    page.get_by_role("button", name="Commencer le parcours").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Question 1"
    proposals = page.locator('input[name="reponse"]')  # single or multiple choice; an open question has one field
    assert (proposals.count() >= 2 and proposals.first.is_visible()) or page.get_by_label("Votre réponse").is_visible()
    check("question")
    assert found == dict.fromkeys(found, [])
    assert list(found) == ["connexion", "changement du mot de passe", "accueil", "question"]
