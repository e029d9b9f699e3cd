"""A school admin resets a class's passwords in chromium: select all, confirm, download; no script needed."""

import csv
import io

import pytest
from django.contrib.auth import authenticate

from orga.pupils.accounts import generate_accounts
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


@pytest.mark.parametrize("width", [390, 1280])
def test_reset_a_class_after_confirmation_sparing_chosen_passwords(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    school = SchoolFactory(name="Collège Simone-Veil", uai="0693834T")
    MembershipFactory(school=school, role="admin", user=UserFactory(username="principal.veil"))
    division = DivisionFactory(school=school, name="4e C")
    pupils = PupilFactory.create_batch(4, school=school, division=division)
    old = {c.username: c.password for c in generate_accounts(pupils)}
    chosen = pupils[0].user
    chosen.must_change_password = False
    chosen.save(update_fields=["must_change_password"])

    sign_in(page, live_server, "principal.veil", "Mot-de-passe-de-test-1")
    page.goto(live_server.url + "/")
    if width < 992:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Comptes élèves").click()
    page.get_by_role("link", name="Comptes et identifiants").click()
    page.locator("label[for=tout]").click()  # DSFR draws the box on the label
    assert page.get_by_role("checkbox", name="Tout sélectionner").is_checked()
    page.get_by_role("button", name="Réinitialiser les mots de passe…").click()
    assert page.locator("h1").inner_text() == "Réinitialiser le mot de passe de 3 élèves ?"
    assert page.get_by_label("inclure l'élève qui a déjà choisi son mot de passe").is_checked() is False
    with page.expect_download() as download:
        page.get_by_role("button", name="Confirmer et télécharger (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert sorted(row[3] for row in rows[1:]) == sorted(p.user.username for p in pupils[1:])
    assert authenticate(username=chosen.username, password=old[chosen.username]) is not None
    for row in rows[1:]:
        assert authenticate(username=row[3], password=row[4]) is not None
        assert authenticate(username=row[3], password=old[row[3]]) is None
