"""On a 390 px phone the results and profile tables are stacked rows, each cell labelled and within the screen;
on a desktop they stay tables."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, PupilFactory, UserFactory

from .conftest import sign_in
from .test_accessibility import campaign_with_results  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]

CELLS_OUTSIDE = """table => {
    const width = document.documentElement.clientWidth;
    return [...table.querySelectorAll("tbody th, tbody td")]
        .filter(cell => cell.getBoundingClientRect().width > 0)
        .filter(cell => {
            const box = cell.getBoundingClientRect();
            return box.left < 0 || box.right > width || cell.scrollWidth > cell.clientWidth + 1;
        })
        .map(cell => cell.textContent.trim());
}"""


def results_url(campaign):
    return reverse("orga:campaign_results", kwargs={"uai": campaign.school.uai, "campaign_id": campaign.id})


def check_layout(page, table, width, path):
    page.set_viewport_size({"width": width, "height": 800})
    page.reload()
    page.screenshot(path=path, full_page=True)
    display = table.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display")
    if width >= 1280:
        assert display == "table-row"
        return
    assert display != "table-row"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert table.evaluate(CELLS_OUTSIDE) == []
    # DSFR's outline of the table (drawn by the wrapper's ::after) left a strip above the first card.
    outline = table.evaluate(
        "t => { const w = t.closest('.fr-table__wrapper'); "
        "return w ? getComputedStyle(w, '::after').display : 'none'; }"
    )
    assert outline == "none", outline
    labels = table.locator("tbody td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert labels not in ("none", "normal", '""')


@pytest.mark.parametrize("width", [390, 1280])
def test_results_table_is_stacked_rows_on_a_phone(page, live_server, campaign_with_results, width, tmp_path):  # noqa: F811
    sign_in(page, live_server, "principale.gouges", PASSWORD)
    page.goto(live_server.url + results_url(campaign_with_results))
    check_layout(page, page.locator(".results-table table"), width, str(tmp_path / f"results-{width}.png"))


@pytest.mark.parametrize("width", [390, 1280])
def test_profile_table_is_stacked_rows_on_a_phone(page, live_server, campaign_with_results, width, tmp_path):  # noqa: F811
    PupilFactory(school=campaign_with_results.school, user=UserFactory(username="ines.benali0304", email=""))
    sign_in(page, live_server, "ines.benali0304", PASSWORD)
    page.goto(live_server.url + reverse("orga:my_profile"))
    check_layout(page, page.locator(".profile-table table"), width, str(tmp_path / f"profile-{width}.png"))
