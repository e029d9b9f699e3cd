"""The day of the session in a real browser, on a phone: the pupil enters the code and their identity, waits, and
their page moves on by itself to the test once the invigilator, in another browser, confirms their presence; the
pupil reports a problem, the invigilator sees it first and accepts it, then ends the test."""

import pytest

from .conftest import candidate_arrives
from .test_accessibility import violations

pytestmark = [pytest.mark.browser]


def test_pupil_waits_then_the_invigilator_confirms(browser, live_server, framework, pupil, password):
    from certif.candidates.enrolment import enrol
    from tests.certif.helpers import make_session

    session = make_session(pupil.pupil.school)
    enrol(session, [pupil.pupil.id])
    pupil_context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    invigilator_context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    try:
        phone = pupil_context.new_page()
        found = []
        candidate_arrives(
            phone, live_server, pupil.username, password, session, lambda page: found.extend(violations(page))
        )
        assert found == []

        desk = invigilator_context.new_page()
        desk.goto(live_server.url + "/certification/surveillant/")
        desk.get_by_label("Numéro de session").fill(str(session.number))
        desk.get_by_label("Mot de passe du surveillant").fill(session.invigilator_password)
        desk.get_by_role("button", name="Accéder à la session").click()
        desk.get_by_text("1 candidat attend votre confirmation de présence").wait_for()
        assert violations(desk) == []
        assert desk.evaluate("document.documentElement.scrollWidth") <= 390
        desk.get_by_role("button", name="Confirmer la présence").click()
        desk.locator(".fr-badge", has_text="Présent").wait_for()

        # The waiting page polls every 5 s: it moves on to the test without a reload.
        phone.get_by_role("heading", name="Question 1 / 32").wait_for(timeout=15_000)
        phone.get_by_text("Temps restant :").wait_for()  # the countdown runs (the page says it without JavaScript)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert violations(phone) == []
        phone.get_by_text("Signaler un problème sur cette question").click()
        phone.get_by_label("Décrivez le problème (facultatif)").fill("L'image ne s'affiche pas")
        phone.get_by_role("button", name="Prévenir le surveillant").click()
        phone.get_by_text("Votre surveillant a été prévenu du problème").wait_for()

        desk.get_by_text("Attention requise : 1 candidat a besoin de vous").wait_for(timeout=15_000)
        assert violations(desk) == []
        desk.get_by_role("link", name="Traiter le signalement").click()
        desk.get_by_text("« L'image ne s'affiche pas »").wait_for()
        assert violations(desk) == []
        desk.locator("label[for=categorie-E1]").click()  # DSFR draws the radio under its label
        desk.get_by_role("button", name="Accepter et neutraliser la question").click()
        desk.get_by_text("est neutralisée").wait_for()
        desk.locator(".fr-badge", has_text="Test en cours").wait_for()
        phone.reload()
        phone.get_by_role("heading", name="Question 2 / 33").wait_for()  # another question; the neutralised adds one

        desk.get_by_role("link", name="Terminer le test").click()
        assert violations(desk) == []
        desk.get_by_role("button", name="Oui, terminer le test").click()
        desk.locator(".fr-badge", has_text="Test terminé").wait_for()
        phone.reload()
        phone.get_by_role("heading", name="Votre test est terminé").wait_for()
        assert violations(phone) == []
    finally:
        pupil_context.close()
        invigilator_context.close()
