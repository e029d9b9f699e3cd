"""Too many wrong campaign codes: slow guessing down without letting one pupil's typos lock out the class.

Each pupil account gets 10 wrong codes in 10 minutes; one address (a whole school behind one public address)
gets far more than a class needs, only to stop guessing spread over many accounts. The address is read through
the configured trusted proxies (`accounts.client_address`), so a forged X-Forwarded-For changes nothing.
"""

from accounts.client_address import client_address
from accounts.rate_limits import count_failure, is_over

MAX_WRONG_CODES = 10
MAX_WRONG_CODES_PER_ADDRESS = 300
WINDOW_SECONDS = 600


def _limits(request):
    limits = [(f"wrong-code:ip:{client_address(request)}", MAX_WRONG_CODES_PER_ADDRESS)]
    if request.user.is_authenticated:
        limits.append((f"wrong-code:user:{request.user.id}", MAX_WRONG_CODES))
    return limits


def is_throttled(request):
    return is_over(_limits(request))


def record_wrong_code(request):
    count_failure(_limits(request), WINDOW_SECONDS)
