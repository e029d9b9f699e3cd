"""axe-core (vendored: tests/browser/axe.min.js, MPL-2.0) finds no serious or critical violation on the school's
pages; the campaign tabs are DSFR tabs (tests/browser/test_campaign_tabs.py), the wide results table scrolls with
the keyboard."""

from pathlib import Path

import pytest
from django.urls import reverse

from orga.audit.services import Action, record
from orga.campaigns.services import create_campaign
from tests.factories import PASSWORD, DivisionFactory, MembershipFactory, SchoolFactory, UserFactory
from tests.orga.test_campaign_tabs import CODES, add_participants

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]

AXE = Path(__file__).with_name("axe.min.js")


def violations(page):
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run()).violations")
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def campaign_with_results(monkeypatch):
    from orga.classes.views import pupil_page as pupils
    from orga.results import tabs

    monkeypatch.setattr(tabs, "PAGE_SIZE", 5)  # pagination shown, with its disabled "previous" link
    monkeypatch.setattr(pupils, "PAGE_SIZE", 5)
    school = SchoolFactory(name="Collège Olympe-de-Gouges", uai="0693834T")
    admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="principale.gouges")).user
    campaign = create_campaign(school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=CODES)
    add_participants(campaign, DivisionFactory(school=school, name="3e A"), 12)
    record(admin, school, Action.CAMPAIGN_CREATED, campaign, "Campagne créée")  # a row in the journal's table
    return campaign


def test_school_pages_have_no_serious_violation(page, live_server, campaign_with_results):
    campaign, school = campaign_with_results, campaign_with_results.school
    sign_in(page, live_server, "principale.gouges", PASSWORD)
    of_campaign = {"uai": school.uai, "campaign_id": campaign.id}
    pages = {
        "activité": reverse("orga:campaign_activity", kwargs=of_campaign),
        "résultats": reverse("orga:campaign_results", kwargs=of_campaign),
        "analyse": reverse("orga:campaign_analysis", kwargs=of_campaign),
        "paramètres": reverse("orga:campaign_detail", kwargs=of_campaign),
        "élèves": reverse("orga:pupils", kwargs={"uai": school.uai}),
        "imports": reverse("orga:imports", kwargs={"uai": school.uai}),
        "nouvelle campagne": reverse("orga:campaign_create", kwargs={"uai": school.uai}),
        "classes": reverse("orga:divisions", kwargs={"uai": school.uai}),
        "mes classes": reverse("orga:my_classes", kwargs={"uai": school.uai}),
        "journal": reverse("orga:journal", kwargs={"uai": school.uai}),
    }
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        found[name] = violations(page)
    assert found == dict.fromkeys(pages, [])
    for name in ("élèves", "imports", "nouvelle campagne", "classes", "mes classes", "journal"):
        page.goto(live_server.url + pages[name])
        breadcrumb = page.get_by_role("navigation", name="vous êtes ici :")
        assert breadcrumb.get_by_role("link", name="Accueil").is_visible(), name


def luminance(css_color):
    channels = [int(part) / 255 for part in css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("width", [390, 1280])
def test_results_table_scrolls_with_the_keyboard(page, live_server, campaign_with_results, width):
    campaign, school = campaign_with_results, campaign_with_results.school
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, "principale.gouges", PASSWORD)
    page.goto(
        live_server.url + reverse("orga:campaign_results", kwargs={"uai": school.uai, "campaign_id": campaign.id})
    )
    tabs = page.get_by_role("tablist", name="Onglets de la campagne")
    assert tabs.locator("[aria-pressed]").count() == 0
    assert tabs.get_by_role("tab", name="Résultats").get_attribute("aria-selected") == "true"
    region = page.get_by_role("region", name="Résultats par élève")
    region.focus()
    assert region.evaluate("el => el === document.activeElement")
    disabled = page.get_by_role("link", name="Page précédente")
    assert disabled.get_attribute("aria-disabled") == "true"
    color = disabled.evaluate("el => getComputedStyle(el).color")
    assert contrast(color, "rgb(255, 255, 255)") >= 4.5, color
    if width < 1280:
        return  # on a phone the rows are stacked cards (tests/browser/test_phone_tables.py): nothing to scroll
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # 3 named competences: wider than the page
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
