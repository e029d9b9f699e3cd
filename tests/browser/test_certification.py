"""The certification pages in a real browser: nothing wider than a phone, no serious accessibility violation,
the surveillance plan printable."""

import pytest
from django.urls import reverse

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


def certification_pages():
    from importlib import import_module

    from django.apps import apps

    from certif.models import Session
    from pixdeploy.demo import seed_demo

    # A live server's test empties the tables after it, the windows its migration brought included.
    import_module("certif.migrations.0002_national_windows").add_windows(apps, None)
    result = seed_demo()
    session = Session.objects.get(status=Session.Status.CREATED)
    division = session.school.divisions.get(name="3e A")
    uai = {"uai": result["uai"]}
    pages = {
        "sessions": reverse("certif:sessions", kwargs=uai),
        "calendrier": reverse("certif:calendar", kwargs=uai),
        "surveillance": reverse("certif:surveillance", kwargs=uai),
        "nouvelle session": reverse("certif:session_create", kwargs=uai),
        "session": reverse("certif:session_detail", kwargs={**uai, "session_id": session.id}),
        "modifier": reverse("certif:session_edit", kwargs={**uai, "session_id": session.id}),
        "inscrire": reverse("certif:enrolment", kwargs={**uai, "session_id": session.id}) + f"?classe={division.id}",
    }
    return result["logins"]["principal"], pages


@pytest.mark.parametrize("width", [390, 1280])
def test_certification_pages_fit_and_have_no_serious_violation(page, live_server, width):
    principal, pages = certification_pages()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, principal["username"], principal["password"])
    page.goto(live_server.url + "/")
    assert page.locator("#navigation-principale a", has_text="Certification").count() == 1  # in the menu on a phone
    wide, found = {}, {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        assert page.get_by_role("navigation", name="vous êtes ici :").count() == 1, name
        width_found = page.evaluate("document.documentElement.scrollWidth")
        if width_found > width:
            wide[name] = width_found
        found[name] = violations(page)
    assert wide == {}
    assert found == dict.fromkeys(pages, [])


def test_the_surveillance_plan_prints_without_the_site_chrome(page, live_server):
    principal, pages = certification_pages()
    sign_in(page, live_server, principal["username"], principal["password"])
    page.goto(live_server.url + pages["surveillance"])
    assert page.locator(".fr-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".fr-header").is_visible()
    assert not page.get_by_role("button", name="Imprimer").is_visible()
    assert page.get_by_role("table").is_visible()


def test_long_names_stay_within_a_phone(page, live_server):
    from certif.models import Session
    from certif.sessions.services import set_invigilators

    principal, pages = certification_pages()
    session = Session.objects.get(status=Session.Status.CREATED)
    session.room = "Salle-" + "X" * 94
    session.address = "A" * 255
    session.save()
    set_invigilators(session, [("Marie-" + "Bernadette" * 14, None)])
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live_server, principal["username"], principal["password"])
    for name in ("session", "sessions", "calendrier", "surveillance"):
        page.goto(live_server.url + pages[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name


def test_the_window_warning_appears_as_the_date_is_chosen(page, live_server):
    principal, pages = certification_pages()
    sign_in(page, live_server, principal["username"], principal["password"])
    page.goto(live_server.url + pages["nouvelle session"])
    warning = page.locator("#alerte-fenetre")
    assert warning.inner_text().strip() == ""
    page.locator("#id_date").fill("2027-01-12")
    page.locator("#id_date").dispatch_event("change")
    page.wait_for_function("() => document.querySelector('#alerte-fenetre').innerText.includes('fenêtre nationale')")
    page.locator("#id_date").fill("2027-04-08")
    page.locator("#id_date").dispatch_event("change")
    page.wait_for_function("() => document.querySelector('#alerte-fenetre').innerText.trim() === ''")
