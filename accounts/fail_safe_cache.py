"""Redis as Django's cache, such that Redis down blocks no school.

Sign-in counts failures in the cache (`rate_limits`, allauth's own limits) and reads sessions through it: with
Django's plain Redis backend, Redis down is an error on every page. Here, an operation Redis does not answer (refused,
reset, timed out) is logged, Redis is left alone for `RETRY_SECONDS`, and the operation is answered by a fallback:

- ``"local"`` (the default): this process's own memory. Every limit keeps counting, per server process instead
  of for all of them together, until Redis answers again.
- ``"none"``: a cache that keeps nothing. For sessions (`SESSION_CACHE_ALIAS`), which are read again from the
  database: a session ended on another server must not live on in this one's memory.

Settings: ``OPTIONS = {"FALLBACK": "local" | "none", "socket_timeout": ..., "socket_connect_timeout": ...}``; the
socket options go to redis-py, so that a Redis that hangs costs a request at most that long.
"""

import logging
import threading
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
LOCAL_MAX_ENTRIES = 100_000  # a whole school's counters for a while, not locmem's 300 (culled by thirds)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")

# Per process, per location: since when Redis has not answered (shared by the threads' backend instances).
_down_since = {}
_lock = threading.Lock()


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("FALLBACK", "local")
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = str(server)
        if fallback == "local":
            local = {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}}
            self.fallback = LocMemCache(f"fail-safe:{self._location}", local)
        elif fallback == "none":
            self.fallback = DummyCache(self._location, {})
        else:
            raise ValueError(f"FALLBACK must be 'local' or 'none', not {fallback!r}")
        self.fallback.key_prefix, self.fallback.version = self.key_prefix, self.version

    @property
    def reachable(self):
        """False while Redis is left alone after a failure."""
        since = _down_since.get(self._location)
        return since is None or time.monotonic() - since >= RETRY_SECONDS

    def _went_down(self, operation, error):
        with _lock:
            first = self._location not in _down_since
            _down_since[self._location] = time.monotonic()
        log = logger.error if first else logger.warning
        log("Redis injoignable (%s : %s) : le cache répond depuis son repli jusqu'à son retour.", operation, error)

    def _came_back(self):
        if self._location in _down_since:
            with _lock:
                _down_since.pop(self._location, None)
            logger.warning("Redis répond de nouveau : le cache partagé reprend.")


def _fail_safe(name):
    shared = getattr(RedisCache, name)

    def operation(self, *args, **kwargs):
        if self.reachable:
            try:
                result = shared(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._went_down(name, error)
            else:
                self._came_back()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(FailSafeRedisCache, _name, _fail_safe(_name))
