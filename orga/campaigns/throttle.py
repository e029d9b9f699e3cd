"""Too many wrong campaign codes: slow guessing down without letting one pupil's typos lock out the class.

Each pupil account gets 10 wrong codes in 10 minutes; one address (a whole school behind one public address)
gets far more than a class needs, only to stop guessing spread over many accounts. The address is read through
the configured trusted proxies (`accounts.client_address`), so a forged X-Forwarded-For changes nothing.
"""

from django.core.cache import cache

from accounts.client_address import client_address

MAX_WRONG_CODES = 10
MAX_WRONG_CODES_PER_ADDRESS = 300
WINDOW_SECONDS = 600


def _limits(request):
    limits = [(f"wrong-code:ip:{client_address(request)}", MAX_WRONG_CODES_PER_ADDRESS)]
    if request.user.is_authenticated:
        limits.append((f"wrong-code:user:{request.user.id}", MAX_WRONG_CODES))
    return limits


def is_throttled(request):
    return any((cache.get(key) or 0) >= limit for key, limit in _limits(request))


def record_wrong_code(request):
    for key, _limit in _limits(request):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)
