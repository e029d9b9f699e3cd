"""Too many wrong campaign codes from one account or one address: slow guessing down."""

from django.core.cache import cache

MAX_WRONG_CODES = 10
WINDOW_SECONDS = 600


def _keys(request):
    address = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    keys = [f"wrong-code:ip:{address}"]
    if request.user.is_authenticated:
        keys.append(f"wrong-code:user:{request.user.id}")
    return keys


def is_throttled(request):
    return any((cache.get(key) or 0) >= MAX_WRONG_CODES for key in _keys(request))


def record_wrong_code(request):
    for key in _keys(request):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)
