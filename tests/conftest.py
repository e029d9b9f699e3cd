"""Named users for each role, so every view test checks them all in a few lines."""

import datetime
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from pixdeploy.celery import app as celery_app

from .factories import PASSWORD, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

# Hashing at full strength would make the suite crawl; production keeps PBKDF2.
settings.PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.TemporaryPasswordHasher",
]

# On a Redis that a development server (or another run of the suite) also uses, the suite touches nothing of
# theirs: its tasks go to a queue of this run only, consumed by the worker it starts and by no other, and its
# cache stays in this process (the Redis cache's clear() would flush the whole Redis database).
TEST_QUEUE = f"pixdeploy-test-{os.getpid()}"
TEST_WORKER = f"{TEST_QUEUE}@{socket.gethostname()}"
override_settings(
    CELERY_TASK_DEFAULT_QUEUE=TEST_QUEUE,
    CACHES={
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": TEST_QUEUE}
        for alias in ("default", "sessions")  # sessions: settings.SESSION_CACHE_ALIAS with Redis
    },
).enable()
celery_app.conf.task_default_queue = TEST_QUEUE


class UnknownTemplateVariable(str):
    """A template variable that does not resolve is a bug: fail the test that rendered it."""

    def __mod__(self, name):
        raise AssertionError(f"Variable de gabarit inconnue : {name}")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches (this process's memory, see above): sign-in failures of one test
    (counted per account for 15 minutes) must not lock out the same account in the next."""
    from django.core.cache import caches

    yield
    for alias in ("default", "sessions"):
        caches[alias].clear()


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


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test ENT (tests/oidc_provider/): a real OpenID Connect provider on loopback, for the whole run."""
    from .oidc_provider import running_provider

    with running_provider(tmp_path_factory.mktemp("ent")) as provider:
        yield provider


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

    It consumes this run's queue only (TEST_QUEUE), which is deleted at the end.
    Without a broker (the embedded default) tasks run eagerly and no worker is needed.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Un worker réel a besoin de PostgreSQL (la base de test SQLite est en mémoire).")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": TEST_QUEUE,
    }
    command = [sys.executable, "-m", "celery", "-A", "pixdeploy", "worker", "--pool=solo", "-l", "warning"]
    # Its own name and queue; no mingle, gossip or heartbeat with the other workers on that Redis.
    command += ["-n", TEST_WORKER, "-Q", TEST_QUEUE, "--without-mingle", "--without-gossip", "--without-heartbeat"]
    worker = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
    deadline = time.monotonic() + 60
    # Only this worker's answer counts: a development worker on the same Redis answers pings too.
    while not celery_app.control.ping(destination=[TEST_WORKER], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("Le worker Celery n'a pas démarré.")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
    with celery_app.connection_for_write() as connection:
        queue = celery_app.amqp.queues[TEST_QUEUE].bind(connection.default_channel)
        queue.declare()  # so that this connection knows the bindings that delete() removes
        queue.delete()


def overflowing_boxes(document):
    """The boxes of a WeasyPrint document that cross the right edge of their page's printable area."""
    from weasyprint.formatting_structure.boxes import MarginBox

    found = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.margin_left + page_box.width + 0.5  # the page's content edge, half a point of slack
        stack = [child for child in page_box.children if not isinstance(child, MarginBox)]
        while stack:
            box = stack.pop()
            end = box.border_box_x() + box.border_width() if box.width is not None else 0
            if end > right:
                found.append(
                    f"page {number}: {getattr(box, 'text', '') or box.element_tag!r} ends at {end:.0f} > {right:.0f}"
                )
            stack.extend(getattr(box, "children", []))
    return found


@pytest.fixture
def overflows(monkeypatch):
    """A function giving the boxes that cross their page's right edge in every PDF laid out so far in the test."""
    import weasyprint

    documents = []
    render = weasyprint.HTML.render

    def recording(self, *args, **kwargs):
        documents.append(render(self, *args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(weasyprint.HTML, "render", recording)
    return lambda: [box for document in documents for box in overflowing_boxes(document)]


@pytest.fixture
def on_4_december_2026(monkeypatch):
    """Today is 4 December 2026 (school year 2026-2027), whenever the suite runs."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))
