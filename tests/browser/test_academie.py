"""The académie view in a browser: a referent computes the table, follows the calculation and reads it on a phone
(stacked rows within the screen) and on a desktop (a table); axe finds no serious violation."""

import pytest

from pixdeploy import academie
from pixdeploy.models import AcademieReport
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory
from tests.test_academie import HOSTILE, lived_in, referent

from .conftest import sign_in
from .test_accessibility import violations
from .test_phone_tables import check_layout

# The report runs in the live server's own process: no worker reads a broker's queue in a browser test.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework", "eager_tasks")]


@pytest.fixture
def academie_of_lyon(transactional_db):
    school = SchoolFactory(name="Collège Jean-Moulin", uai="0693834T")
    lived_in(school, MembershipFactory(school=school, role="admin", user=UserFactory(username="principale")).user)
    SchoolFactory(name="Lycée professionnel Marie-Curie de Villeurbanne", type="lycee_pro")
    SchoolFactory(name=HOSTILE)
    SchoolFactory(name="Collège Colette", academie="Paris")
    return referent("referent.lyon", "Lyon")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_referent_computes_and_reads_the_table(page, live_server, academie_of_lyon, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "referent.lyon", PASSWORD)
    page.wait_for_url(live_server.url + "/academie/")  # their home leads there
    assert page.locator("h1").inner_text() == "Établissements de l'académie de Lyon"
    assert page.locator('#navigation-principale a[href="/academie/"]').count() == 1
    page.get_by_role("button", name="Calculer le tableau").click()  # no broker: computed on commit
    page.get_by_text("État au ").wait_for()
    table = page.locator(".stack-table table")
    assert table.locator("tbody tr").count() == 3  # Lyon's schools only
    assert "Collège Colette" not in page.content()
    assert page.get_by_text(HOSTILE).count() == 1  # shown as text
    check_layout(page, table, width, str(tmp_path / f"academie-{width}.png"))
    container = page.locator(".academie-table .fr-table__container")
    assert container.evaluate("box => box.scrollWidth <= box.clientWidth")  # every column fits, no scrolling
    buttons = page.locator("main .fr-btns-group").first
    assert [text.strip() for text in buttons.locator(".fr-btn").all_inner_texts()] == [
        "Recalculer",
        "Exporter (CSV)",
        "Exporter (Excel)",
    ]
    assert violations(page) == []
    page.get_by_label("Type d'établissement").select_option("lycee_pro")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**type=lycee_pro**")
    assert table.locator("tbody tr").count() == 1


def test_the_progress_bar_is_polled_until_the_table_is_ready(page, live_server, academie_of_lyon, tmp_path):
    job = AcademieReport.objects.create(academie="lyon")  # queued: no worker has taken it yet
    sign_in(page, live_server, "referent.lyon", PASSWORD)
    page.wait_for_url(live_server.url + "/academie/")
    assert page.get_by_text("Calcul du tableau en cours").is_visible()
    assert page.locator("progress").first.get_attribute("value") == "0"
    assert page.get_by_role("button", name="Calculer le tableau").count() == 0
    page.screenshot(path=str(tmp_path / "academie-calcul.png"), full_page=True)
    assert violations(page) == []
    academie.process_report(job.id)
    page.get_by_text("État au ").wait_for(timeout=10_000)  # the poll saw it done and reloaded the page
    assert page.locator(".stack-table tbody tr").count() == 3


def test_a_superuser_chooses_the_academie(page, live_server, academie_of_lyon, tmp_path):
    UserFactory(username="superadmin", is_superuser=True, is_staff=True)
    academie.process_report(AcademieReport.objects.create(academie="").id)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "superadmin", PASSWORD)
    page.goto(live_server.url + "/academie/")
    assert page.locator(".stack-table tbody tr").count() == 4  # every school
    page.get_by_label("Académie", exact=True).select_option("paris")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**academie=paris**")
    assert page.locator("h1").inner_text() == "Établissements de l'académie de Paris"
    assert page.locator(".stack-table tbody tr").all_inner_texts()[0].startswith("Collège Colette")
    page.screenshot(path=str(tmp_path / "academie-superuser.png"), full_page=True)
    assert violations(page) == []
