"""Playwright drives Debian's chromium (`playwright install` cannot download browsers here)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium est introuvable ({CHROMIUM}) : CI doit l'installer.")
        pytest.skip(f"chromium n'est pas installé ({CHROMIUM}) : apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # live server's fixtures are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/comptes/login/")
    page.get_by_label("Identifiant ou adresse électronique").fill(username)
    page.get_by_label("Mot de passe").first.fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def candidate_arrives(page, live_server, username, password, session, on_each_page=None):
    """A candidate (Léa Martin, born 14/05/2012) signs in, enters the session's code and their identity, and waits
    for the invigilator. `on_each_page(page)` runs on the code's and the identity's pages."""
    sign_in(page, live_server, username, password)
    page.get_by_role("link", name="Certification").first.click()
    page.get_by_label("Code d'accès").fill(session.access_code)
    if on_each_page:
        on_each_page(page)
    page.get_by_role("button", name="Continuer").click()
    if on_each_page:
        on_each_page(page)
    page.get_by_label("Nom de famille").fill("martin")
    page.get_by_label("Prénom").fill("lea")
    page.get_by_label("Date de naissance").fill("2012-05-14")
    page.get_by_role("button", name="Confirmer mon identité").click()
    page.get_by_text("Attendez que le surveillant confirme votre présence").wait_for()
