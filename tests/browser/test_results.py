"""A finalised session's results in a browser: computed, published, seen by the pupil; axe finds no serious
violation on the results pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.certif.helpers import make_session
from tests.certif.test_results import enrol, sit
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


def test_the_admin_computes_and_publishes_then_the_pupil_sees_the_result(page, live_server, tmp_path):
    school = SchoolFactory(name="Collège Olympe-de-Gouges", uai="0693834T")
    MembershipFactory(school=school, role="admin", user=UserFactory(username="principale.gouges"))
    session = make_session(school)
    session.status, session.finalised_at = "finalized", timezone.now()
    session.save()
    pupil_user = UserFactory(username="lea.martin")
    sit(enrol(session, "MARTIN", "Léa", user=pupil_user), ["ok", "ko"] * 16)
    sit(enrol(session, "ZOLA", "Émile", "3e B"), ["ok"] * 12)
    enrol(session, "ABSENT", "Noé")

    sign_in(page, live_server, "principale.gouges", PASSWORD)
    results_url = live_server.url + reverse(
        "certif:session_results", kwargs={"uai": school.uai, "session_id": session.id}
    )
    page.goto(live_server.url + reverse("certif:session_detail", kwargs={"uai": school.uai, "session_id": session.id}))
    page.get_by_role("link", name="Calculer les résultats").click()
    page.get_by_role("button", name="Calculer les résultats").click()
    page.wait_for_load_state()
    assert "Résultats calculés pour 2 candidats." in page.content()
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "resultats.png"), full_page=True)
    page.get_by_label("Commentaire pour l'établissement sur ZOLA Émile").fill("Départ anticipé.")
    page.get_by_role("button", name="Enregistrer le commentaire sur ZOLA Émile").click()
    page.wait_for_load_state()
    assert "Commentaire enregistré pour ZOLA Émile." in page.content()
    page.get_by_role("link", name="Publier les résultats").click()
    page.get_by_role("button", name="Publier les résultats").click()
    page.wait_for_load_state()
    assert page.url == results_url and "Résultats publiés le" in page.content()
    page.goto(live_server.url + reverse("certif:results_by_class", kwargs={"uai": school.uai}))
    assert "1 certification validée sur 2" in page.content()
    assert violations(page) == []

    page.context.clear_cookies()
    pupil_user.set_password(PASSWORD)
    pupil_user.save()
    sign_in(page, live_server, "lea.martin", PASSWORD)
    page.get_by_role("link", name="Ma certification").last.click()
    page.wait_for_load_state()
    assert "Validée" in page.content() and "Niveau par compétence" in page.content()
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "ma-certification.png"), full_page=True)
