"""The campaign's tabs are DSFR tabs: a tablist of buttons, each panel loaded with htmx from the tab's own URL,
which is pushed so that a reload or a bookmark opens that tab; arrow keys move between tabs; axe-core finds no
serious or critical violation on any tab, on a phone and on a desktop."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

from .conftest import sign_in
from .test_accessibility import campaign_with_results, violations  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]

TABS = [
    ("Activité", "campaign_activity", "Participation par classe"),
    ("Résultats", "campaign_results", "Rechercher un élève"),
    ("Analyse", "campaign_analysis", "Besoins de formation collectifs"),
    ("Paramètres", "campaign_detail", "Code à donner aux élèves"),
]


def tab_url(campaign, name):
    return reverse(f"orga:{name}", kwargs={"uai": campaign.school.uai, "campaign_id": campaign.id})


def selected_tab(page):
    return page.locator('[role="tab"][aria-selected="true"]').inner_text()


@pytest.mark.parametrize("width", [390, 1280])
def test_tabs_load_their_panel_push_their_url_and_pass_axe(page, live_server, campaign_with_results, width, tmp_path):  # noqa: F811
    campaign = campaign_with_results
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, "principale.gouges", PASSWORD)
    page.goto(live_server.url + tab_url(campaign, "campaign_activity"))
    tablist = page.get_by_role("tablist", name="Onglets de la campagne")
    assert tablist.get_by_role("tab").count() == 4
    assert page.locator(".fr-tabs [aria-current], .fr-tabs [aria-pressed]").count() == 0
    for label, name, shown in TABS:
        tab = tablist.get_by_role("tab", name=label)
        tab.click()
        panel = page.locator(f"#{tab.get_attribute('aria-controls')}")
        assert panel.get_attribute("role") == "tabpanel"
        assert panel.get_attribute("aria-labelledby") == tab.get_attribute("id")
        page.wait_for_url(f"**{tab_url(campaign, name)}")
        panel.get_by_text(shown).first.wait_for()
        assert tab.get_attribute("aria-selected") == "true" and tab.get_attribute("tabindex") == "0"
        assert page.locator('[role="tab"][aria-selected="true"]').count() == 1
        assert page.locator(".fr-tabs__panel--selected").count() == 1 and panel.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        assert violations(page) == [], label
        # The pushed URL renders the whole page with that tab selected.
        page.reload()
        assert selected_tab(page) == label
        assert page.locator(".fr-tabs__panel--selected").get_by_text(shown).first.is_visible()
        assert violations(page) == [], label


def test_arrow_keys_move_between_tabs_and_load_the_panel(page, live_server, campaign_with_results):  # noqa: F811
    campaign = campaign_with_results
    sign_in(page, live_server, "principale.gouges", PASSWORD)
    page.goto(live_server.url + tab_url(campaign, "campaign_activity"))
    page.get_by_role("tab", name="Activité").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**{tab_url(campaign, 'campaign_results')}")
    page.wait_for_function("document.activeElement.textContent === 'Résultats'")
    assert selected_tab(page) == "Résultats"
    page.locator("#panneau-resultats").get_by_text("Rechercher un élève").first.wait_for()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.activeElement.textContent === 'Activité'")
    page.wait_for_url(f"**{tab_url(campaign, 'campaign_activity')}")
    page.keyboard.press("ArrowLeft")  # from the first tab to the last
    page.wait_for_url(f"**{tab_url(campaign, 'campaign_detail')}")
    assert selected_tab(page) == "Paramètres"
    page.locator("#panneau-parametres").get_by_text("Code à donner aux élèves").wait_for()
    page.go_back()  # back to the tab selected before
    page.wait_for_url(f"**{tab_url(campaign, 'campaign_activity')}")
    page.locator("#panneau-activite").get_by_text("Participation par classe").wait_for()
    assert selected_tab(page) == "Activité"
