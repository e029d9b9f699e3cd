"""Redis unreachable: the cache falls back instead of failing the page (pixdeploy/cache.py). Nothing listens on
port 1 of the loopback, so every call to Redis is refused at once."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts.rate_limits import count_failure, is_over
from pixdeploy import cache as resilient

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    resilient._down_until.clear()
    settings.CACHES = {
        "default": {"BACKEND": "pixdeploy.cache.ResilientRedisCache", "LOCATION": UNREACHABLE},
        "sessions": {
            "BACKEND": "pixdeploy.cache.ResilientRedisCache",
            "LOCATION": UNREACHABLE,
            "OPTIONS": {"FALLBACK": "none"},
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    yield
    caches["default"].fallback.clear()
    resilient._down_until.clear()


@pytest.mark.usefixtures("redis_down")
def test_the_default_cache_falls_back_to_the_process_memory():
    cache = caches["default"]
    assert cache.get("absent") is None
    assert cache.is_down()  # the next calls do not try Redis again for a while
    assert cache.add("compte", 1, 60) and cache.incr("compte") == 2 and cache.get("compte") == 2
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2} and "a" in cache
    cache.delete("a")
    assert cache.get("a") is None


@pytest.mark.usefixtures("redis_down")
def test_the_sessions_cache_falls_back_to_nothing():
    cache = caches["sessions"]
    cache.set("s", {"user": 1})
    assert cache.get("s") is None and "s" not in cache  # every read goes to the database


@pytest.mark.usefixtures("redis_down")
def test_the_throttles_still_count_while_redis_is_down():
    limits = [("essais:eleve", 3)]
    for _ in range(3):
        assert not is_over(limits)
        count_failure(limits, 60)
    assert is_over(limits)


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_sign_in_and_a_signed_in_page_work_while_redis_is_down(client, school_admin, password):
    response = client.post(reverse("account_login"), {"login": school_admin.username, "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
