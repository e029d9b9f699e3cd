"""Real browser checks: Playwright drives Debian's chromium against a live server."""

import pytest

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


def test_home_and_referentiel_show_the_16_competences(page, live_server):
    page.goto(live_server.url + "/")
    assert "pixdeploy" in page.title()
    assert page.locator("h1").inner_text() == "Pix dans votre établissement, toute l'année"
    page.get_by_role("link", name="Découvrir le référentiel").click()
    page.wait_for_url("**/referentiel/")
    cards = page.locator("[data-competence]")
    assert cards.count() == 16
    codes = [cards.nth(i).get_attribute("data-competence") for i in range(16)]
    assert codes == "1.1 1.2 1.3 2.1 2.2 2.3 2.4 3.1 3.2 3.3 3.4 4.1 4.2 4.3 5.1 5.2".split()  # noqa: SIM905
    assert page.get_by_role("heading", name="4. Protection et sécurité").is_visible()
    assert page.get_by_text("Protéger la santé, le bien-être et l'environnement").is_visible()
    # The DSFR stylesheet really loaded (not just linked): the header has its layout.
    assert page.locator(".fr-header").evaluate("el => getComputedStyle(el).display") != "inline"


def test_principal_signs_in_and_sees_the_checklist(page, live_server):
    from pixdeploy.demo import seed_demo

    logins = seed_demo()["logins"]
    sign_in(page, live_server, logins["principal"]["username"], logins["principal"]["password"])
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Collège Victor-Hugo"
    assert page.locator(".checklist-step").count() == 6
    assert "Importer la liste des élèves" in page.locator(".checklist-item--done").all_inner_texts()[1]


@pytest.mark.parametrize("width", [390, 1280])
def test_teacher_home_shows_their_classes_and_every_link_opens(page, live_server, width):
    from pixdeploy.demo import seed_demo

    teacher = seed_demo()["logins"]["teacher"]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, teacher["username"], teacher["password"])
    page.wait_for_url(live_server.url + "/")
    main = page.locator("main")
    assert page.get_by_role("heading", name="Mes classes", exact=True).is_visible()
    assert page.get_by_role("heading", name="Campagnes à suivre").is_visible()
    assert main.get_by_role("link", name="3e A", exact=True).is_visible()
    assert page.locator(".checklist-step").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the phone
    hrefs = main.locator("a[href^='/']").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert len(hrefs) >= 4
    for href in hrefs:
        assert page.request.get(live_server.url + href).status == 200, href
