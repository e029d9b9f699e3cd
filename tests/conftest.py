"""Named users for each role, so every view test checks them all in a few lines."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from .factories import PASSWORD, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

# Hashing at full strength would make the suite crawl; production keeps PBKDF2.
settings.PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.TemporaryPasswordHasher",
]


class UnknownTemplateVariable(str):
    """A template variable that does not resolve is a bug: fail the test that rendered it."""

    def __mod__(self, name):
        raise AssertionError(f"Variable de gabarit inconnue : {name}")


@pytest.fixture(autouse=True)
def _strict_templates(settings):
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine.get("OPTIONS", {}), "string_if_invalid": UnknownTemplateVariable("%s")}}
        for engine in settings.TEMPLATES
    ]


@pytest.fixture
def framework(transactional_db):
    """The CRCN framework and challenge bank for transactional tests: their flush empties what migrations loaded."""
    from crcn.content import load_content
    from crcn.framework import load_framework
    from crcn.models import Competence, Domain, Level
    from orga.campaigns.services import forget_bank

    load_framework(Domain, Competence, Level)
    load_content()
    forget_bank()  # the bank cached by a previous test refers to rows that the flush removed
    yield
    forget_bank()


@pytest.fixture
def school(db):
    return SchoolFactory(name="Collège Jean-Moulin", uai="0693834T")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Collège Louise-Michel")


@pytest.fixture
def school_admin(school):
    return MembershipFactory(school=school, role="admin", user=UserFactory(username="principale")).user


@pytest.fixture
def teacher(school):
    return MembershipFactory(school=school, role="member", user=UserFactory(username="enseignant")).user


@pytest.fixture
def other_school_admin(other_school):
    return MembershipFactory(school=other_school, role="admin", user=UserFactory(username="autre.principal")).user


@pytest.fixture
def pupil(school):
    user = UserFactory(username="lea.martin1405", email="")
    return PupilFactory(school=school, user=user, first_name="Léa", last_name="MARTIN").user


@pytest.fixture
def superuser(db):
    return UserFactory(username="superadmin", is_superuser=True, is_staff=True)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def client_for(client):
    """`client_for(user)`: a test client signed in as that user (None: anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def eager_tasks():
    """Run queued tasks in the test's own process, even where a broker is configured."""
    from pixdeploy.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _database_url_of_test_db():
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery -A pixdeploy worker` on the configured broker and the test database.

    Without a broker (the embedded default) tasks run eagerly and no worker is needed.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Un worker réel a besoin de PostgreSQL (la base de test SQLite est en mémoire).")
    env = {**os.environ, "DATABASE_URL": _database_url_of_test_db(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pixdeploy", "worker", "--pool=solo", "-l", "warning", "-n", "test@%h"],
        env=env,
        cwd=settings.BASE_DIR,
    )
    from pixdeploy.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("Le worker Celery n'a pas démarré.")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
