"""Too many wrong access codes, identities or invigilator passwords: slow guessing down.

As orga's campaign-code throttle: a pupil account gets 10 wrong tries in 10 minutes, one address (a whole school
behind one public address) far more. The invigilator's sign-in is limited first per browser (its Django session)
and per address, so a pupil typing wrong passwords locks out their own browser, not the invigilator's; a limit per
session number stays, far above what one browser may try (`MAX_PER_BROWSER`), for guessing one session's password
from many browsers and addresses. The address is read through the trusted proxies (`accounts.client_address`): a
forged X-Forwarded-For changes nothing.
"""

from accounts.client_address import client_address
from accounts.rate_limits import count_failure, is_over

WINDOW_SECONDS = 600
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 300
MAX_PER_BROWSER = 10
MAX_PER_SESSION_NUMBER = 100


def arrival_limits(request):
    return [
        (f"certif-arrival:ip:{client_address(request)}", MAX_PER_ADDRESS),
        (f"certif-arrival:user:{request.user.id}", MAX_PER_ACCOUNT),
    ]


def _browser(request):
    """The browser's Django session key (created if it has none yet: the sign-in page is open to anyone)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def invigilator_limits(request, number):
    limits = [
        (f"certif-invigilator:browser:{_browser(request)}", MAX_PER_BROWSER),
        (f"certif-invigilator:ip:{client_address(request)}", MAX_PER_ADDRESS),
    ]
    if number:
        limits.append((f"certif-invigilator:session:{number}", MAX_PER_SESSION_NUMBER))
    return limits


def is_throttled(limits):
    return is_over(limits)


def record_failure(limits):
    count_failure(limits, WINDOW_SECONDS)
