"""The ENT of the tests: a small Django project, django-oauth-toolkit with OpenID Connect (RS256, discovery, JWKS).

Run by `serve.py` in a process of its own, on loopback, with its SQLite file in a temporary folder; nothing here is
pixdeploy's. Its users and their claims come from the environment (`OIDC_PROVIDER_USERS`, see serve.py).
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "oidc-provider-of-the-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OIDC_PROVIDER_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/connexion/"
# A distinct cookie name: pixdeploy's live server runs on the same host (127.0.0.1), and cookies ignore ports.
SESSION_COOKIE_NAME = "ent_sessionid"
CSRF_COOKIE_NAME = "ent_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ["OIDC_PROVIDER_KEY"],
    "PKCE_REQUIRED": True,
    "ALLOW_LOCALHOST_LOOPBACK": True,  # pytest-django's live server: http://localhost:<any port>
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profil", "email": "Adresse électronique"},
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validator.Validator",
}
USERS = json.loads(os.environ.get("OIDC_PROVIDER_USERS", "[]"))
