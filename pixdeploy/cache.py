"""The Redis cache that keeps the site up when Redis is not: a failed call falls back, it does not fail the page.

Django's Redis cache raises on every call while Redis is unreachable, and the throttles (accounts/rate_limits.py,
allauth's sign-in limits) and the sessions (`cached_db`) call it on every page: a Redis stop was a 500 everywhere.
Here a call that cannot reach Redis goes to the fallback instead, and so do the calls of the next `RETRY_AFTER`
seconds, so that each request does not wait on a dead server; then Redis is tried again.

- `FALLBACK: "local"` (the default cache): each process's memory. The throttles still count, per process rather
  than for the whole site, until Redis is back.
- `FALLBACK: "none"` (the sessions' cache): nothing is cached, every read is a miss: `cached_db` reads the session
  from the database. A process's memory would serve its own stale copy of a session another process changed.
"""

import logging
import time

import redis
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# Redis given up on until then (time.monotonic()), by location: shared by the threads of the process.
_down_until = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("FALLBACK", "local")
        self.retry_after = options.pop("RETRY_AFTER", 5)
        # A Redis that hangs rather than refuses costs a page at most this long.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = str(server)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        if fallback == "local":
            # A school's worth of throttle counters (LocMemCache culls a third of its keys beyond MAX_ENTRIES).
            fallback_params["OPTIONS"] = {"MAX_ENTRIES": 20000}
            self.fallback = LocMemCache(f"redis-fallback:{server}", fallback_params)
        else:
            self.fallback = DummyCache(server, fallback_params)

    def is_down(self):
        return time.monotonic() < _down_until.get(self._location, 0)

    def _call(self, name, *args, **kwargs):
        if not self.is_down():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                _down_until[self._location] = time.monotonic() + self.retry_after
                logger.warning("Redis injoignable (%s) : cache de secours pendant %s s", error, self.retry_after)
        return getattr(self.fallback, name)(*args, **kwargs)


def _falling_back(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


# Every call of Django's cache API that reaches Redis (decr is incr by -delta, get_or_set is get and add, the async
# methods call these in a thread).
CALLS = ("get", "set", "add", "touch", "delete", "incr", "has_key", "get_many", "set_many", "delete_many", "clear")
for _name in CALLS:
    setattr(ResilientRedisCache, _name, _falling_back(_name))
