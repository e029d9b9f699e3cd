"""Production settings: a Content-Security-Policy the pages keep to, and only the site's names as hosts."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from orga.campaigns.services import create_campaign
from orga.models import Participation
from tests.factories import PupilFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-key-for-the-test-only-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "pix.mon-lycee.fr",
    "DEBUG": "0",
}


@pytest.fixture(scope="module")
def production():
    """The settings a deployment gets, read in a fresh process (settings are read once per process)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "ALLOWED_HOSTS")}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="pixdeploy.settings")
    code = (
        "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, name) for name in"
        " ('ALLOWED_HOSTS', 'CONTENT_SECURITY_POLICY', 'MIDDLEWARE', 'SECURE_SSL_REDIRECT')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_allows_the_site_s_names_only(production):
    assert production["ALLOWED_HOSTS"] == ["pix.mon-lycee.fr"]
    assert "script-src 'self';" in production["CONTENT_SECURITY_POLICY"]
    assert "'unsafe-inline'" not in production["CONTENT_SECURITY_POLICY"].split("style-src-attr")[0]


@pytest.mark.django_db
def test_the_health_check_answers_localhost_over_http_and_other_pages_refuse_it(client, production):
    with override_settings(
        ALLOWED_HOSTS=production["ALLOWED_HOSTS"],
        MIDDLEWARE=production["MIDDLEWARE"],
        SECURE_SSL_REDIRECT=production["SECURE_SSL_REDIRECT"],
        CONTENT_SECURITY_POLICY=production["CONTENT_SECURITY_POLICY"],
    ):
        for host in ("127.0.0.1:8000", "localhost", "pix.mon-lycee.fr"):
            response = client.get("/sante/", HTTP_HOST=host)
            assert (response.status_code, response.content) == (200, b"ok"), host
        assert client.get("/", HTTP_HOST="127.0.0.1:8000", secure=True).status_code == 400
        assert client.get("/", HTTP_HOST="pix.mon-lycee.fr").status_code == 301  # to HTTPS
        page = client.get("/", HTTP_HOST="pix.mon-lycee.fr", secure=True)
        assert page.status_code == 200
        assert page["Content-Security-Policy"] == production["CONTENT_SECURITY_POLICY"]


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block in a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{tag} {name}=" for name in attrs if name.startswith("on")]
        self.found += [f"{tag} {name}" for name, value in attrs.items() if (value or "").startswith("javascript:")]


def inline_code(response):
    assert response.status_code == 200, response
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


@pytest.mark.django_db
def test_pages_have_no_inline_script(client_for, school, school_admin):
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée", type="assessment", competence_codes=["1.1"]
    )
    pupil = PupilFactory(school=school, user=UserFactory(username="eleve.test"))
    client = client_for(None)
    pages = {"login": client.get(reverse("account_login")), "home (anonymous)": client.get(reverse("home"))}
    client = client_for(school_admin)
    pages["home"] = client.get(reverse("home"))
    for tab in ("campaign_detail", "campaign_activity", "campaign_results", "campaign_analysis"):
        pages[tab] = client.get(reverse(f"orga:{tab}", kwargs={"uai": school.uai, "campaign_id": campaign.id}))
    client = client_for(pupil.user)
    client.post(reverse("orga:campaign_confirm", kwargs={"code": campaign.code}))
    participation = Participation.objects.get(pupil=pupil)
    pages["challenge"] = client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
    assert b"challenge-form" in pages["challenge"].content
    assert {name: inline_code(response) for name, response in pages.items()} == {name: [] for name in pages}


@pytest.mark.django_db
def test_the_ent_sign_in_pages_let_their_forms_reach_the_ent_and_no_other_page_does(client, settings):
    """The ENT button posts to pixdeploy, which redirects to the ENT: browsers check that redirect against
    form-action. Only the ENT's origin is added, and only on the pages with such a form; a hostile server_url
    (admin site) cannot add a directive."""
    from allauth.socialaccount.models import SocialApp

    settings.CONTENT_SECURITY_POLICY = settings.STRICT_CONTENT_SECURITY_POLICY
    for provider_id, server_url in [("ent", "https://ent.example.fr/oidc"), ("bad", "https://x; script-src *")]:
        SocialApp.objects.create(
            provider="openid_connect", provider_id=provider_id, name=provider_id, client_id="c", secret="s",
            settings={"server_url": server_url},
        )  # fmt: skip
    login = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "form-action 'self' https://ent.example.fr;" in login and login.count(
        ";"
    ) == settings.STRICT_CONTENT_SECURITY_POLICY.count(";")
    assert "script-src 'self';" in login and "*" not in login
    home = client.get(reverse("accessibilite"))["Content-Security-Policy"]
    assert home == settings.STRICT_CONTENT_SECURITY_POLICY
