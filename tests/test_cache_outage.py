"""Redis down blocks no school (issue 15): sign-in works, the limits hold per process, sessions are read from the
database; Redis up, every server counts together."""

import logging
import uuid

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts import fail_safe_cache, rate_limits
from tests.factories import PASSWORD, UserFactory

DEAD_REDIS = "redis://127.0.0.1:1/7"  # nothing listens on port 1: connection refused at once
OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def fail_safe(location, fallback="local", **extra):
    return {
        "BACKEND": "accounts.fail_safe_cache.FailSafeRedisCache",
        "LOCATION": location,
        "OPTIONS": {**OPTIONS, "FALLBACK": fallback},
        **extra,
    }


@pytest.fixture(autouse=True)
def _fresh():
    fail_safe_cache._down_since.clear()
    yield
    fail_safe_cache._down_since.clear()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": fail_safe(DEAD_REDIS), "sessions": fail_safe(DEAD_REDIS, "none")}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    caches["default"].fallback.clear()  # the memory this process counts in while Redis is down
    yield
    caches["default"].fallback.clear()


def sign_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


@pytest.mark.django_db
def test_redis_down_sign_in_works_and_is_logged(redis_down, caplog):
    user = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    with caplog.at_level(logging.WARNING, logger="accounts.fail_safe_cache"):
        assert sign_in(client, user.username, PASSWORD).status_code == 302
    assert client.get(reverse("home")).context["user"] == user  # the session, read back from the database
    assert any(r.levelno == logging.ERROR and "Redis injoignable" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_redis_down_the_per_account_limit_still_holds_in_each_process(redis_down):
    user, classmate = UserFactory(), UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        sign_in(client, user.username, "pas-le-bon")
    assert "Trop d&#x27;essais erronés" in sign_in(client, user.username, PASSWORD).content.decode()
    assert sign_in(Client(REMOTE_ADDR="203.0.113.7"), classmate.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_redis_down_a_session_ended_elsewhere_does_not_live_on_in_memory(redis_down):
    """Sessions fall back to no cache at all: a session another server ended (its row deleted) is gone here too."""
    user = UserFactory()
    client = Client()
    sign_in(client, user.username, PASSWORD)
    assert client.get(reverse("home")).context["user"] == user
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_the_fail_safe_cache_answers_from_its_memory_then_tries_redis_again(monkeypatch):
    backend = fail_safe_cache.FailSafeRedisCache(DEAD_REDIS, {"OPTIONS": {**OPTIONS, "FALLBACK": "local"}})
    backend.fallback.clear()
    assert backend.add("compteur", 1, 60) is True
    assert backend.incr("compteur") == 2
    assert backend.get("compteur") == 2
    assert not backend.reachable  # Redis left alone for a few seconds...
    monkeypatch.setattr(fail_safe_cache, "RETRY_SECONDS", 0)
    assert backend.reachable  # ...then tried again


def test_the_sessions_fallback_keeps_nothing():
    backend = fail_safe_cache.FailSafeRedisCache(DEAD_REDIS, {"OPTIONS": {**OPTIONS, "FALLBACK": "none"}})
    backend.set("session", {"_auth_user_id": "1"}, 60)
    assert backend.get("session") is None


def test_a_cache_that_raises_lets_the_try_through_with_a_log(settings, rf, caplog):
    """Another backend than ours, unreachable: the policy logs and allows rather than answer a 500."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    attempt = rate_limits.Attempt(rf.post("/", REMOTE_ADDR="203.0.113.7"), rate_limits.PASSWORD, account=1)
    with caplog.at_level(logging.ERROR, logger="accounts.rate_limits"):
        attempt.failed()
        assert attempt.refusal() is None
    assert [r.getMessage() for r in caplog.records] == [
        "Compteurs d'essais non écrits (mot-de-passe)",
        "Compteurs d'essais illisibles : essai permis (mot-de-passe)",
    ]


def _redis_url():
    """Our own Redis database (7), if a Redis runs here."""
    url = "redis://127.0.0.1:6379/7"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


def test_redis_back_the_shared_counters_resume(settings):
    settings.CACHES = {"default": fail_safe(_redis_url())}
    fail_safe_cache._down_since[settings.CACHES["default"]["LOCATION"]] = -1e9  # down long ago
    assert caches["default"].get("absent", "défaut") == "défaut"
    assert caches["default"].reachable and not fail_safe_cache._down_since


def test_two_servers_count_together_in_redis(settings, rf):
    """Each server's process has its own memory; the counters are in Redis, so what one counts the other sees."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": fail_safe(_redis_url(), KEY_PREFIX=prefix)}
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    try:
        for _server in range(2):
            for _ in range(rate_limits.MAX_PER_ACCOUNT // 2):
                rate_limits.Attempt(request, rate_limits.CAMPAIGN_CODE, account=42).failed()
            caches["default"].fallback.clear()  # nothing in this process's memory: the next server starts bare
        assert rate_limits.Attempt(request, rate_limits.CAMPAIGN_CODE, account=42).refusal().who == "account"
        counter = rate_limits.key(rate_limits.CAMPAIGN_CODE, "account", 42)
        assert redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).exists(f"{prefix}:1:{counter}")
    finally:
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
