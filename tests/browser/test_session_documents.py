"""A large session's convocations in a real browser: asked, followed by htmx until ready, downloaded."""

import pytest
from django.urls import reverse

from certif.models import SessionDocument
from tests.certif.helpers import make_session
from tests.certif.test_document_jobs import add_candidates
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def large_session(settings, tmp_path, eager_tasks):
    settings.MEDIA_ROOT = tmp_path
    school = SchoolFactory(name="Lycée Victor-Hugo", uai="0693834T")
    admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="proviseure")).user
    session = make_session(school, capacity=60, grade="terminale")
    add_candidates(session, 45)
    return admin, session


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_asks_follows_and_downloads_the_convocations(page, live_server, large_session, width):
    admin, session = large_session
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, admin.username, PASSWORD)
    page.goto(live_server.url + reverse("certif:session_detail", kwargs={"uai": "0693834T", "session_id": session.id}))
    page.get_by_role("link", name="Convocations des candidats").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Convocations des candidats, classe par classe"
    assert "45 candidats" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(page) == []

    page.get_by_role("button", name="Préparer le document").click()  # built at once here: tasks run eagerly
    page.get_by_text("Votre document est prêt").wait_for()
    assert violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le document").click()
    assert download.value.suggested_filename == f"convocations-session-{session.number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


def test_the_page_follows_a_running_preparation_until_it_fails(page, live_server, large_session):
    admin, session = large_session
    job = SessionDocument.objects.create(
        session=session, kind="emargement", requested_by=admin, status="running", progress=40
    )
    sign_in(page, live_server, admin.username, PASSWORD)
    target = reverse(
        "certif:session_document_page", kwargs={"uai": "0693834T", "session_id": session.id, "kind": "emargement"}
    )
    page.goto(live_server.url + target)
    assert page.locator("progress").get_attribute("value") == "40"
    assert violations(page) == []
    job.progress = 80
    job.save(update_fields=["progress", "heartbeat_at"])
    page.locator('progress[value="80"]').wait_for()  # polled by htmx, no reload
    job.fail("Le modèle du document est introuvable.")
    page.get_by_text("Le modèle du document est introuvable.").wait_for()
    assert page.get_by_role("button", name="Relancer la préparation").count() == 1
