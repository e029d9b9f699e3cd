"""Production settings (issue 15): `check --deploy` clean, HTTPS only with HSTS, a strict CSP, cookies Secure and
HttpOnly, and Redis as a cache that fails safe. Settings are read once per process: each is read in a fresh one."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.test_content_security import PRODUCTION_ENV, ROOT

HOST = "pix.mon-lycee.fr"
ENV = {**PRODUCTION_ENV, "SITE_URL": f"https://{HOST}", "REDIS_URL": "redis://127.0.0.1:1/0"}  # never connected to
HEADERS = [
    "ALLOWED_HOSTS", "MIDDLEWARE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
]  # fmt: skip


def _environment(**changes):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process: production never does.
    dropped = ("DEBUG", "ALLOWED_HOSTS", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(ENV, DJANGO_SETTINGS_MODULE="pixdeploy.settings", **changes)
    return env


def _run(*command, **changes):
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=_environment(**changes), capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def production():
    names = [*HEADERS, "CACHES", "SESSION_ENGINE", "SESSION_CACHE_ALIAS", "TRUSTED_PROXY_COUNT"]
    code = (
        "import json; from django.conf import settings;"
        f" print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = _run("-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_production_environment():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_turns_every_protection_on(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert all(
        production[f"{cookie}_COOKIE_{flag}"] for cookie in ("SESSION", "CSRF") for flag in ("SECURE", "HTTPONLY")
    )
    assert production["TRUSTED_PROXY_COUNT"] == 0  # X-Forwarded-For ignored unless the proxies are declared


def test_production_redis_fails_safe_and_sessions_fall_back_to_the_database(production):
    caches = production["CACHES"]
    assert (
        caches["default"]["BACKEND"] == caches["sessions"]["BACKEND"] == "accounts.fail_safe_cache.FailSafeRedisCache"
    )
    assert caches["default"]["OPTIONS"]["FALLBACK"] == "local"
    assert caches["sessions"]["OPTIONS"]["FALLBACK"] == "none"
    assert production["SESSION_CACHE_ALIAS"] == "sessions"
    assert production["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_production_pages_send_hsts_csp_and_secure_http_only_cookies(client, production):
    user = UserFactory()
    https = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https"}  # as the TLS proxy forwards it
    with override_settings(**{name: production[name] for name in HEADERS}):
        assert client.get(reverse("account_login"), HTTP_HOST=HOST).status_code == 301  # plain HTTP: to HTTPS
        page = client.get(reverse("account_login"), **https)
        assert page.status_code == 200
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert page["Content-Security-Policy"] == production["CONTENT_SECURITY_POLICY"]
        assert "script-src 'self';" in page["Content-Security-Policy"]
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["X-Frame-Options"] == "DENY"
        assert page["Referrer-Policy"] == "same-origin"
        signed_in = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD}, **https)
        assert signed_in.status_code == 302
    for name, response in (("csrftoken", page), ("sessionid", signed_in)):
        cookie = response.cookies[name]
        assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax"), name
