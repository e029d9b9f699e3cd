"""The home page's certification, in a real browser: the principal's steps 5-6 ticked from the demo's session,
the certification section for the principal and the teacher, at phone and desktop widths, checked by axe."""

import pytest

from .conftest import sign_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework")]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("who", ["principal", "teacher"])
def test_home_certification_reads_well_and_has_no_serious_violation(page, live_server, width, who, tmp_path):
    from pixdeploy.demo import seed_demo

    login = seed_demo()["logins"][who]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, login["username"], login["password"])
    page.wait_for_url(live_server.url + "/")
    section = page.locator(".home-certification")
    assert section.get_by_role("heading", name="Certification").is_visible()
    assert "livret scolaire" in section.inner_text()
    assert section.get_by_role("link", name="Sessions de certification").is_visible()
    if who == "principal":
        done = page.locator(".checklist-item--done").all_inner_texts()
        assert any("Planifier les sessions de certification" in text for text in done), done
        assert any("Planifier la surveillance" in text for text in done), done
        assert any("élèves de 3e inscrits à une session" in text for text in done)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the phone
    page.screenshot(path=str(tmp_path / f"home-{who}-{width}.png"), full_page=True)
    assert violations(page) == []
