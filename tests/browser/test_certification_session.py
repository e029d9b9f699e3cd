"""One whole certification session in real browsers (issue 10): two pupils on phones take the test, the invigilator
(no account) confirms them, authorises one resume after a crashed browser, handles one reported problem and ends a
test; the school admin finalises, computes and publishes the results; each pupil sees theirs in « Ma certification »."""

import pytest
from django.urls import reverse
from django.utils import timezone

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
POLL = 20_000  # the waiting and resume pages, and the live list, poll every 5 s


def _phone(browser):
    return browser.new_context(locale="fr-FR", viewport=PHONE)


def _arrive(page, live_server, username, password, session):
    sign_in(page, live_server, username, password)
    page.get_by_role("link", name="Certification").first.click()
    page.get_by_label("Code d'accès").fill(session.access_code)
    page.get_by_role("button", name="Continuer").click()


def _confirm_identity(page, last_name, first_name):
    page.get_by_label("Nom de famille").fill(last_name)
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Date de naissance").fill("2012-05-14")
    page.get_by_role("button", name="Confirmer mon identité").click()
    page.get_by_text("Attendez que le surveillant confirme votre présence").wait_for()


def _question(page, number):
    page.get_by_role("heading", name=f"Question {number} / ").wait_for(timeout=POLL)


def _answer(page):
    """Answers the current question with its first proposal (or a word), then « Je valide »."""
    if page.locator("#reponse").count():
        page.locator("#reponse").fill("réponse")
    else:
        page.locator("label[for=proposition-0]").click()  # DSFR draws the box on the label
    page.get_by_role("button", name="Je valide").click()


def _answer_right(page, candidate):
    """Answers the current question rightly, its solution read from the bank, then « Je valide »."""
    from certif.course.models import CertificationQuestion

    number = page.locator("input[name=question]").first.input_value()
    challenge = CertificationQuestion.objects.get(course__candidate=candidate, number=number).challenge
    if challenge.type == "qroc":
        page.locator("#reponse").fill(challenge.solution[0])
    else:
        for index in challenge.solution if challenge.type == "qcm" else [challenge.solution]:
            page.locator(f"label[for=proposition-{index}]").click()
    page.get_by_role("button", name="Je valide").click()


def _row(desk, name):
    return desk.locator("tbody tr", has_text=name)


def test_a_whole_certification_session(browser, live_server, framework, school_admin, pupil, password):
    from certif.candidates.enrolment import enrol
    from certif.course.services import QUESTIONS
    from certif.models import Candidate
    from certif.results.models import CertificationResult
    from tests.certif.helpers import make_session
    from tests.factories import PupilFactory, UserFactory

    school = school_admin.memberships.get().school
    bruno = PupilFactory(school=school, user=UserFactory(username="bruno.bernard"), first_name="Bruno")
    bruno.last_name = "BERNARD"
    bruno.save()
    session = make_session(school, date=timezone.localdate())  # today: the test is taken, then finalised
    enrol(session, [pupil.pupil.id, bruno.id])
    lea = Candidate.objects.get(session=session, pupil=pupil.pupil)
    bernard = Candidate.objects.get(session=session, pupil=bruno)

    admin_context = browser.new_context(locale="fr-FR")
    desk_context = browser.new_context(locale="fr-FR")
    contexts = [admin_context, desk_context, _phone(browser), _phone(browser)]
    try:
        a, b = contexts[2].new_page(), contexts[3].new_page()
        _arrive(a, live_server, pupil.username, password, session)
        _confirm_identity(a, "martin", "lea")
        _arrive(b, live_server, "bruno.bernard", password, session)
        _confirm_identity(b, "bernard", "bruno")

        desk = desk_context.new_page()
        desk.goto(live_server.url + reverse("certif:invigilator_sign_in"))
        desk.get_by_label("Numéro de session").fill(str(session.number))
        desk.get_by_label("Mot de passe du surveillant").fill(session.invigilator_password)
        desk.get_by_role("button", name="Accéder à la session").click()
        desk.get_by_text("2 candidats attendent votre confirmation de présence").wait_for()
        desk.get_by_role("button", name="Confirmer la présence de Léa").click()
        _row(desk, "Léa").locator(".fr-badge", has_text="Présent").wait_for()
        desk.get_by_role("button", name="Confirmer la présence de Bruno").click()
        _row(desk, "Bruno").locator(".fr-badge", has_text="Présent").wait_for()

        # Both waiting pages move on to the first question by themselves.
        _question(a, 1)
        _question(b, 1)
        assert a.evaluate("document.documentElement.scrollWidth") <= 390
        assert b.evaluate("document.documentElement.scrollWidth") <= 390
        assert violations(a) == []
        for number in (2, 3, 4):
            if number % 2:
                _answer(a)
            else:
                a.get_by_role("button", name="Je passe").click()
            _question(a, number)

        # Bruno reports a problem; the invigilator accepts it (E1): the question is neutralised.
        b.get_by_text("Signaler un problème sur cette question").click()
        b.get_by_label("Décrivez le problème (facultatif)").fill("L'image ne s'affiche pas")
        b.get_by_role("button", name="Prévenir le surveillant").click()
        b.get_by_text("Votre surveillant a été prévenu du problème").wait_for()
        desk.get_by_text("Attention requise : 1 candidat a besoin de vous").wait_for(timeout=POLL)
        desk.get_by_role("link", name="Traiter le signalement de Bruno").click()
        desk.get_by_text("« L'image ne s'affiche pas »").wait_for()
        desk.locator("label[for=categorie-E1]").click()
        desk.get_by_role("button", name="Accepter et neutraliser la question").click()
        desk.get_by_text("est neutralisée").wait_for()
        b.reload()
        _question(b, 2)
        _answer(b)
        _question(b, 3)

        # Léa's browser crashes; from a new one, she must wait for the invigilator's authorisation.
        contexts.pop(2).close()
        contexts.append(_phone(browser))
        a = contexts[-1].new_page()
        _arrive(a, live_server, pupil.username, password, session)
        a.get_by_text("Votre surveillant doit autoriser la reprise").wait_for()
        assert violations(a) == []
        desk.get_by_text("Attention requise : 1 candidat a besoin de vous").wait_for(timeout=POLL)
        _row(desk, "Léa").get_by_text("Demande de reprise").wait_for()
        assert violations(desk) == []
        desk.get_by_role("button", name="Autoriser la reprise de Léa").click()
        _question(a, 4)  # the resume page polls and moves on to the question she was on
        for number in range(4, QUESTIONS + 1):
            _question(a, number)
            _answer_right(a, lea)
        a.get_by_role("heading", name="Votre test est terminé").wait_for()
        assert violations(a) == []

        # The invigilator ends Bruno's test.
        _row(desk, "Bruno").get_by_role("link", name="Terminer le test").click()
        desk.get_by_role("button", name="Oui, terminer le test").click()
        _row(desk, "Bruno").locator(".fr-badge", has_text="Test terminé").wait_for()
        b.reload()
        b.get_by_role("heading", name="Votre test est terminé").wait_for()

        # The admin finalises: Léa's end screen seen, Bruno's abort reason required.
        admin = admin_context.new_page()
        sign_in(admin, live_server, school_admin.username, password)
        admin.goto(live_server.url + reverse("certif:finalise", kwargs={"uai": school.uai, "session_id": session.id}))
        admin.locator(f"label[for=ecran-{lea.id}]").click()
        admin.locator(f"#abandon-{bernard.id}").evaluate("select => select.removeAttribute('required')")
        admin.get_by_role("button", name="Finaliser la session").click()
        admin.get_by_text("BERNARD Bruno n'a pas terminé son test : indiquez la raison de l'abandon").first.wait_for()
        admin.get_by_label("Raison de l'abandon de BERNARD Bruno").select_option("candidate")
        admin.get_by_text("Ajouter un signalement pour BERNARD Bruno").click()
        reports = admin.locator(f"#signalements-{bernard.id}")
        reports.get_by_label("Catégorie").select_option("IN_CHALLENGE")
        reports.get_by_label("Problème sur la question").select_option("E1")
        reports.get_by_label("N° de question").fill("1")
        reports.get_by_role("button", name="Ajouter le signalement").click()
        reports.get_by_text("question 1").wait_for()
        assert admin.get_by_label("Écran de fin vu pour MARTIN Léa").is_checked()
        assert violations(admin) == []
        admin.get_by_role("button", name="Finaliser la session").click()
        admin.get_by_text("Le PV de session est disponible ci-dessous.").wait_for()

        # The admin computes the results, then publishes them.
        admin.get_by_role("link", name="Calculer les résultats").click()
        admin.get_by_role("button", name="Calculer les résultats").click()
        admin.get_by_text("Résultats calculés pour 2 candidats.").wait_for()
        table = admin.locator("table").first
        assert "MARTIN" in table.inner_text() and "BERNARD" in table.inner_text()
        assert violations(admin) == []
        admin.get_by_role("link", name="Publier les résultats").click()
        admin.get_by_role("button", name="Publier les résultats").click()
        admin.get_by_text("Résultats publiés le").first.wait_for()

        # Léa answered all 32 questions, most of them rightly: validated with a score; Bruno answered one: not obtained.
        result = CertificationResult.objects.get(candidate=lea)
        assert result.status == "validated" and result.answered == QUESTIONS
        assert CertificationResult.objects.get(candidate=bernard).status == "rejected"
        a.goto(live_server.url + "/")  # the pupil's home links to « Ma certification »
        a.get_by_role("link", name="Ma certification").last.click()
        a.get_by_text("Niveau par compétence").wait_for()
        mine = a.locator("main").inner_text()
        assert result.pix_score > 0 and result.level_label != "-"
        assert "VALIDÉE" in mine and f"{result.pix_score} pix" in mine and result.level_label in mine
        assert violations(a) == []
        b.goto(live_server.url + "/")  # the pupil's home links to « Ma certification »
        b.get_by_role("link", name="Ma certification").last.click()
        b.get_by_text("Non obtenue").wait_for()
        assert "vous avez répondu à trop peu de questions" in b.locator("main").inner_text()
    finally:
        for context in contexts:
            context.close()
