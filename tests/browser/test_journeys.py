"""The four journeys of the year in a real browser, each step photographed for the CI's artefacts and checked
by axe-core: the principal (import, invite, campaign, checklist), the teacher (class, results, export), the pupil
(code, test, results) and the invigilator (sign-in, presence, end of a test).

Screenshots: $ARTEFACTS_DIR/parcours/<journey>/<NN>-<step>-<width>.png (default `artefacts/`), at the journey's
width and at 390 px, where nothing may overflow. axe runs on every step: no serious or critical violation."""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from orga.campaigns.services import create_campaign
from orga.models import Invitation, Participation, Pupil
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from tests.factories import PASSWORD, DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory
from tests.orga.test_campaign_tabs import CODES, add_participants

from .conftest import candidate_arrives, sign_in
from .test_accessibility import violations
from .test_pupil_journey import answer_current

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]

ARTEFACTS = Path(os.environ.get("ARTEFACTS_DIR") or Path(__file__).parents[2] / "artefacts") / "parcours"
PHONE = {"width": 390, "height": 844}


class Journey:
    """Photographs each step at the journey's width and at 390 px, and keeps what axe finds."""

    def __init__(self, name, page, width):
        self.page, self.width, self.count = page, width, 0
        self.folder = ARTEFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.found, self.overflowing = {}, []

    def step(self, name):
        self.count += 1
        self.page.wait_for_load_state()
        stem = f"{self.count:02d}-{name}"
        self.found[stem] = violations(self.page)
        size = self.page.viewport_size
        self.page.screenshot(path=str(self.folder / f"{stem}-{self.width}.png"), full_page=True)
        if self.width != PHONE["width"]:
            self.page.set_viewport_size(PHONE)
            self.page.screenshot(path=str(self.folder / f"{stem}-390.png"), full_page=True)
        if self.page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            self.overflowing.append(stem)
        self.page.set_viewport_size(size)

    def check(self):
        assert {stem: found for stem, found in self.found.items() if found} == {}
        assert self.overflowing == [], "défilement horizontal à 390 px"
        assert len(list(self.folder.glob("*.png"))) >= self.count


@pytest.fixture
def desktop(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_principal_imports_invites_creates_a_campaign_and_follows_the_checklist(
    desktop, live_server, eager_tasks, mailoutbox, tmp_path
):
    page = desktop
    school = SchoolFactory(name="Collège Simone-Veil", uai="0693834T")
    MembershipFactory(school=school, role="admin", user=UserFactory(username="principal.veil"))
    export = tmp_path / "ElevesSansAdresses.xml"
    export.write_bytes(siecle_xml(school.uai, generated_pupils(24, ["3e A", "3e B"], seed=21)))
    journey = Journey("principal", page, 1280)

    sign_in(page, live_server, "principal.veil", PASSWORD)
    journey.step("accueil")
    page.get_by_role("link", name="Imports").first.click()
    journey.step("imports")
    page.get_by_label("Fichier des élèves").set_input_files(str(export))
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("heading", name="Import terminé").wait_for(timeout=30_000)
    journey.step("import-termine")
    assert Pupil.objects.filter(school=school).count() == 24

    page.goto(live_server.url + reverse("orga:members", kwargs={"uai": school.uai}))
    journey.step("membres")
    page.get_by_label("Adresse électronique").fill("prof.svt@exemple.fr")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("prof.svt@exemple.fr").first.wait_for()
    journey.step("invitation-envoyee")
    assert Invitation.objects.filter(school=school, email="prof.svt@exemple.fr").exists()
    assert [message.to for message in mailoutbox] == [["prof.svt@exemple.fr"]]

    page.goto(live_server.url + reverse("orga:campaign_create", kwargs={"uai": school.uai}))
    journey.step("nouvelle-campagne")
    page.get_by_label("Nom de la campagne").fill("Rentrée des 3e")
    page.get_by_label("Parcours prêt à l'emploi").select_option(index=1)
    page.get_by_role("button", name="Créer la campagne").click()
    page.get_by_role("heading", name="Rentrée des 3e").wait_for()
    journey.step("campagne-creee")
    code = school.campaigns.get(name="Rentrée des 3e").code
    assert code in page.content()

    page.goto(live_server.url + "/")
    journey.step("check-list")
    assert "Liste importée le" in page.content()
    assert re.search(r"\d+ étapes? faites? sur 6", page.content())
    journey.check()


def test_teacher_follows_the_class_and_exports_the_results(desktop, live_server, eager_tasks):
    page = desktop
    school = SchoolFactory(name="Collège Olympe-de-Gouges", uai="0693834T")
    admin = MembershipFactory(school=school, role="admin").user
    membership = MembershipFactory(school=school, role="member", user=UserFactory(username="prof.gouges"))
    division = DivisionFactory(school=school, name="3e A")
    membership.divisions.add(division)
    campaign = create_campaign(school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=CODES)
    add_participants(campaign, division, 8)
    journey = Journey("enseignant", page, 1280)

    sign_in(page, live_server, "prof.gouges", PASSWORD)
    journey.step("accueil")
    page.goto(live_server.url + reverse("orga:my_classes", kwargs={"uai": school.uai}))
    journey.step("mes-classes")
    page.goto(live_server.url + reverse("orga:class_progress", kwargs={"uai": school.uai, "division_id": division.id}))
    journey.step("suivi-de-la-classe")
    of_campaign = {"uai": school.uai, "campaign_id": campaign.id}
    page.goto(live_server.url + reverse("orga:campaign_results", kwargs=of_campaign))
    journey.step("resultats")
    page.goto(live_server.url + reverse("orga:campaign_analysis", kwargs=of_campaign))
    journey.step("analyse")
    page.goto(live_server.url + reverse("orga:campaign_results", kwargs=of_campaign))
    page.get_by_role("button", name="Résultats (CSV)").click()  # prepared in the background, then offered
    page.get_by_role("link", name="Télécharger le fichier").wait_for(timeout=30_000)
    journey.step("export-pret")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom de l'organisation", "ID Campagne", "Code"]
    assert len(rows) == 1 + Participation.objects.filter(campaign=campaign).count()
    journey.check()


def test_pupil_enters_the_code_takes_the_test_and_sends_the_results(phone, live_server):
    page = phone
    school = SchoolFactory(name="Collège Rosa-Parks", uai="0693834T")
    teacher = MembershipFactory(school=school, role="member").user
    PupilFactory(school=school, first_name="Inès", user=UserFactory(username="ines.benali0304", email=""))
    campaign = create_campaign(
        school=school, owner=teacher, name="Parcours Sécurité", type="assessment", competence_codes=["4.1"]
    )
    journey = Journey("eleve", page, 390)

    sign_in(page, live_server, "ines.benali0304", PASSWORD)
    journey.step("accueil")
    page.get_by_label("Code du parcours").fill(campaign.code.lower())
    page.get_by_role("button", name="Accéder au parcours").click()
    journey.step("parcours")
    page.get_by_role("button", name="Commencer le parcours").click()
    for question in range(1, 60):
        if "/resultats/" in page.url:
            break
        if question == 1:
            journey.step("question")
        answer_current(page, right=question % 3 != 0)
    assert "/resultats/" in page.url
    journey.step("resultats-envoyes")
    assert "Vos résultats ont été envoyés à votre établissement" in page.content()
    page.get_by_role("link", name="Mon profil").first.click()
    journey.step("mon-profil")
    assert Participation.objects.get().status == Participation.Status.SHARED
    journey.check()


def test_invigilator_signs_in_confirms_a_presence_and_ends_a_test(browser, live_server, pupil, password):
    from certif.candidates.enrolment import enrol
    from tests.certif.helpers import make_session

    session = make_session(pupil.pupil.school)
    enrol(session, [pupil.pupil.id])
    candidate = browser.new_context(locale="fr-FR", viewport=PHONE)
    desk_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        phone = candidate.new_page()
        candidate_arrives(phone, live_server, pupil.username, password, session)

        desk = desk_context.new_page()
        journey = Journey("surveillant", desk, 1280)
        desk.goto(live_server.url + "/certification/surveillant/")
        journey.step("connexion")
        desk.get_by_label("Numéro de session").fill(str(session.number))
        desk.get_by_label("Mot de passe du surveillant").fill(session.invigilator_password)
        desk.get_by_role("button", name="Accéder à la session").click()
        desk.get_by_text("1 candidat attend votre confirmation de présence").wait_for()
        journey.step("candidats-a-confirmer")
        desk.get_by_role("button", name="Confirmer la présence").click()
        desk.locator(".fr-badge", has_text="Présent").wait_for()
        journey.step("presence-confirmee")
        phone.get_by_role("heading", name="Question 1 / 32").wait_for(timeout=15_000)
        desk.locator(".fr-badge", has_text="Test en cours").wait_for(timeout=15_000)
        journey.step("test-en-cours")
        desk.get_by_role("link", name="Terminer le test").click()
        journey.step("terminer-le-test")
        desk.get_by_role("button", name="Oui, terminer le test").click()
        desk.locator(".fr-badge", has_text="Test terminé").wait_for()
        journey.step("test-termine")
        journey.check()
    finally:
        candidate.close()
        desk_context.close()
