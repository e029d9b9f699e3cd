"""The principal's first steps in a real browser: import the pupils, print the accounts; a pupil signs in."""

import csv
import io

import pytest

from orga.models import Pupil
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


def test_import_then_accounts_then_pupil_first_sign_in(page, live_server, celery_worker, tmp_path):
    school = SchoolFactory(name="Collège Simone-Veil", uai="0693834T")
    MembershipFactory(school=school, role="admin", user=UserFactory(username="principal.veil"))
    export = tmp_path / "ElevesSansAdresses.xml"
    export.write_bytes(siecle_xml(school.uai, generated_pupils(24, ["3e A", "3e B"], seed=21), left=(3,)))

    sign_in(page, live_server, "principal.veil", "Mot-de-passe-de-test-1")
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("Fichier des élèves").set_input_files(str(export))
    page.get_by_role("button", name="Importer").click()
    # The status block polls itself (htmx) until the worker has finished.
    page.get_by_role("heading", name="Import terminé").wait_for(timeout=30_000)
    assert page.locator('[data-count="created"]').inner_text() == "23"
    assert page.locator('[data-count="left"]').inner_text() == "1"
    assert page.locator('[data-count="skipped"]').inner_text() == "0"
    assert "Ont quitté l'établissement" in page.locator("#import-status").inner_text()
    assert Pupil.objects.filter(school=school, is_active=True).count() == 23

    page.get_by_role("link", name="Créer les comptes des élèves").click()
    page.get_by_role("link", name="Comptes et identifiants").first.click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Générer (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Classe", "Nom", "Prénom", "Identifiant", "Mot de passe"]
    assert len(rows) == 1 + Pupil.objects.filter(school=school, division__name="3e A", is_active=True).count()
    _, last_name, first_name, username, password = rows[1]

    page.context.clear_cookies()
    sign_in(page, live_server, username, password)
    assert "Choisissez votre mot de passe personnel" in page.content()
    page.locator("#id_oldpassword").fill(password)
    page.locator("#id_password1").fill("Mon-secret-2026")
    page.locator("#id_password2").fill("Mon-secret-2026")
    page.get_by_role("button", name="Modifier le mot de passe").click()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == f"Bonjour {first_name}"
