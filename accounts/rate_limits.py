"""Failures counted in the cache against several limits at once: the one mechanism behind every throttle.

A limit is a (cache key, maximum) pair, e.g. one per pupil account and one per address; a request is refused
while any of its counters has reached its maximum, and each failure adds one to all of them for a window.
"""

from django.core.cache import cache


def is_over(limits):
    return any((cache.get(key) or 0) >= maximum for key, maximum in limits)


def count_failure(limits, window_seconds):
    for key, _maximum in limits:
        if not cache.add(key, 1, window_seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, window_seconds)
