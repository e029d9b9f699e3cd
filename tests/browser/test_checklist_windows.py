"""The checklist's windows in a real browser: the demo principal sees each step's dates and its state in words, at
phone and desktop widths, checked by axe."""

import importlib

import pytest
from django.apps import apps

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]

STATES = {"À venir", "En cours", "En retard", "Fait"}


@pytest.mark.parametrize("width", [390, 1280])
def test_each_step_shows_its_dates_and_its_state_in_words(page, live_server, width, tmp_path):
    from pixdeploy.demo import seed_demo

    # A live server's test empties the tables after it, the rows of the data migrations included: added back.
    importlib.import_module("pixdeploy.migrations.0003_school_calendars_2025_2027").add_calendars(apps, None)
    importlib.import_module("certif.migrations.0002_national_windows").add_windows(apps, None)
    login = seed_demo()["logins"]["principal"]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, login["username"], login["password"])
    page.wait_for_url(live_server.url + "/")
    steps = page.locator(".checklist-step")
    assert steps.count() == 6
    for index in range(6):
        heading = steps.nth(index).locator("h3")
        assert heading.locator(".fr-badge").text_content().strip() in STATES
        assert " au " in heading.inner_text()  # "du 31/08/2026 au 16/10/2026"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"checklist-{width}.png"), full_page=True)
    assert violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_each_step_opens_its_guide_and_the_years_page_reads_well(page, live_server, width, tmp_path):
    from pixdeploy.demo import seed_demo

    importlib.import_module("pixdeploy.migrations.0003_school_calendars_2025_2027").add_calendars(apps, None)
    importlib.import_module("certif.migrations.0002_national_windows").add_windows(apps, None)
    seeded = seed_demo()
    login = seeded["logins"]["principal"]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, login["username"], login["password"])
    page.wait_for_url(live_server.url + "/")
    guide = page.locator("#guide-5")
    assert not guide.is_visible()
    page.get_by_role("button", name="Guide de l'étape 5 : quoi faire, pourquoi, combien de temps").click()
    guide.wait_for(state="visible")
    assert "Combien de temps" in guide.inner_text() and "élèves de 3e" in guide.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"guide-{width}.png"), full_page=True)
    assert violations(page) == []

    page.get_by_role("link", name="Années scolaires : clôturer l'année, bilans des années passées").click()
    page.get_by_role("heading", name="Années scolaires", level=1).wait_for()
    assert "Aucune année clôturée pour l'instant." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"years-{width}.png"), full_page=True)
    assert violations(page) == []
