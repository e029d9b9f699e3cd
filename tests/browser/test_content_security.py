"""Under the production Content-Security-Policy, DSFR's scripts and htmx still work and nothing is refused."""

import pytest
from django.urls import reverse

from orga.campaigns.services import create_campaign
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


def test_pages_work_under_the_production_policy(page, live_server, settings):
    settings.CONTENT_SECURITY_POLICY = settings.STRICT_CONTENT_SECURITY_POLICY
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else 0)
    school = SchoolFactory(name="Collège Simone-Veil", uai="0693834T")
    admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="principal.veil")).user
    division = DivisionFactory(school=school, name="3e A")
    PupilFactory(school=school, division=division, last_name="ZOLA", first_name="Émile")
    PupilFactory(school=school, division=division, last_name="HUGO", first_name="Victor")
    campaign = create_campaign(
        school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1", "4.1"]
    )

    response = page.goto(live_server.url + "/comptes/login/")
    assert response.headers["content-security-policy"] == settings.STRICT_CONTENT_SECURITY_POLICY
    sign_in(page, live_server, "principal.veil", "Mot-de-passe-de-test-1")
    page.goto(live_server.url + reverse("orga:pupils", kwargs={"uai": school.uai}))
    assert page.evaluate("typeof window.dsfr !== 'undefined' && typeof window.htmx !== 'undefined'")
    page.get_by_label("Rechercher").fill("zola")
    page.wait_for_url("**q=zola**")  # htmx swapped the table and pushed the address
    assert "ZOLA" in page.locator("#pupil-table").inner_text()
    assert "HUGO" not in page.locator("#pupil-table").inner_text()
    for tab in ("campaign_detail", "campaign_results", "campaign_analysis"):
        page.goto(live_server.url + reverse(f"orga:{tab}", kwargs={"uai": school.uai, "campaign_id": campaign.id}))
    assert refused == []
