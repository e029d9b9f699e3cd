"""The finalisation in a real browser: an issue report added without losing what was ticked above it, the
comment's counter, the session finalised."""

import datetime
import os

import pytest

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser]


def test_the_admin_finalises_a_session(page, live_server, transactional_db, school_admin, password):
    from certif.models import Session
    from tests.certif.helpers import make_session, url
    from tests.certif.test_finalisation import End, enrol, start

    session = make_session(school_admin.memberships.get().school, date=datetime.date(2026, 11, 30))
    enrol(session, "ABSENT", "Alice")
    bernard = enrol(session, "BERNARD", "Bruno")
    start(bernard)
    caron = enrol(session, "CARON", "Chloé")
    start(caron, answered=12, end=End.TIME_OVER)
    sign_in(page, live_server, school_admin.username, password)
    page.goto(live_server.url + url("session_detail", session.school, session_id=session.id))
    page.get_by_role("link", name="Finaliser la session").click()
    assert violations(page) == []

    page.locator(f"label[for=ecran-{bernard.id}]").click()  # DSFR draws the box on the label
    page.get_by_label("Raison de l'abandon de CARON Chloé").select_option("candidate")
    page.get_by_text("Ajouter un signalement pour CARON Chloé").click()
    reports = page.locator(f"#signalements-{caron.id}")
    reports.get_by_label("Catégorie").select_option("IN_CHALLENGE")
    reports.get_by_label("Problème sur la question").select_option("E11")
    reports.get_by_label("N° de question").fill("7")
    reports.get_by_role("button", name="Ajouter le signalement").click()
    page.locator(f"#signalements-{caron.id}").get_by_text("question 7").wait_for()
    # The fragment replaced only the reports: what was chosen above is still there.
    assert page.get_by_label("Écran de fin vu pour BERNARD Bruno").is_checked()
    assert page.get_by_label("Raison de l'abandon de CARON Chloé").input_value() == "candidate"

    page.get_by_label("Commentaire global").fill("RAS")
    page.get_by_text("3 / 500 caractères").wait_for()
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "finalisation.png"), full_page=True)
    assert violations(page) == []
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_text("Le PV de session est disponible ci-dessous.").wait_for()
    assert page.get_by_role("link", name="PV de session").count() == 1
    session.refresh_from_db()
    assert session.status == Session.Status.FINALISED and session.examiner_global_comment == "RAS"
