"""The pupil's journey in a real browser, on a phone-sized screen: code, test, results sent; and resuming."""

import pytest

from crcn.models import Challenge
from orga.campaigns.services import create_campaign
from orga.models import Participation
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]
PASSWORD = "Mot-de-passe-de-test-1"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def setup(db):
    school = SchoolFactory(name="Collège Rosa-Parks", uai="0693834T")
    teacher = MembershipFactory(school=school, role="member", user=UserFactory(username="prof.parks")).user
    pupil = PupilFactory(school=school, first_name="Inès", user=UserFactory(username="ines.benali0304", email=""))
    campaign = create_campaign(
        school=school, owner=teacher, name="Parcours Sécurité", type="assessment", competence_codes=["4.1", "4.2"]
    )
    return pupil, campaign


def answer_current(page, right=True):
    challenge = Challenge.objects.get(id=int(page.locator('input[name="challenge"]').get_attribute("value")))
    if not right:
        page.get_by_role("button", name="Je passe").click()
    elif challenge.type == "qroc":
        page.get_by_label("Votre réponse").fill(challenge.solution[0])
        page.get_by_role("button", name="Je valide").click()
    else:
        indexes = challenge.solution if challenge.type == "qcm" else [challenge.solution]
        for index in indexes:
            page.locator(f'label[for="proposition-{index}"]').click()
        page.get_by_role("button", name="Je valide").click()
    page.wait_for_load_state()


def test_from_code_to_results_sent(phone, live_server, setup):
    pupil, campaign = setup
    sign_in(phone, live_server, "ines.benali0304", PASSWORD)
    phone.get_by_role("heading", name="J'ai un code").wait_for()  # their home holds the code's field
    phone.get_by_label("Code du parcours").fill("zzzzzz999")
    phone.get_by_role("button", name="Accéder au parcours").click()
    assert "ne correspond à aucun parcours" in phone.locator(".fr-error-text").inner_text()
    phone.get_by_label("Code du parcours").fill(campaign.code.lower())
    phone.get_by_role("button", name="Accéder au parcours").click()
    assert phone.locator("h1").inner_text() == "Parcours Sécurité"
    assert "Collège Rosa-Parks" in phone.content()
    phone.get_by_role("button", name="Commencer le parcours").click()
    for question in range(1, 60):
        if "/resultats/" in phone.url:
            break
        assert phone.locator("h1").inner_text() == f"Question {question}"
        # Nothing overflows the phone's width.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        answer_current(phone, right=question % 3 != 0)
    assert "/resultats/" in phone.url
    assert "Vos résultats ont été envoyés à votre établissement" in phone.content()
    rows = phone.locator(".profile-table tbody tr")
    assert rows.count() == 2
    assert Participation.objects.get().status == Participation.Status.SHARED


def test_an_interrupted_test_resumes_where_it_stopped(browser, live_server, setup):
    pupil, campaign = setup
    first = browser.new_context(locale="fr-FR")
    page = first.new_page()
    sign_in(page, live_server, "ines.benali0304", PASSWORD)
    page.goto(f"{live_server.url}/parcours/{campaign.code}/")
    page.get_by_role("button", name="Commencer le parcours").click()
    for _ in range(3):
        answer_current(page)
    waiting = page.locator('input[name="challenge"]').get_attribute("value")
    first.close()  # the browser is closed mid-test

    second = browser.new_context(locale="fr-FR")
    page = second.new_page()
    sign_in(page, live_server, "ines.benali0304", PASSWORD)
    page.get_by_role("link", name="Mon profil").first.click()
    page.get_by_role("link", name="reprendre").click()
    assert page.locator("h1").inner_text() == "Question 4"
    assert page.locator('input[name="challenge"]').get_attribute("value") == waiting
    second.close()
