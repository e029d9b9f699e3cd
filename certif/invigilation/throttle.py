"""Wrong access codes, identities and invigilator passwords, counted as every typed secret
(`accounts.rate_limits`).

The candidate's tries count per pupil account, then per address. The invigilator has no account: their sign-in
counts per browser (its Django session), so a pupil typing wrong passwords locks out their own browser, not the
invigilator's; per session number, far above what one browser may try, for guessing one session's password from
many browsers and addresses; and per address.
"""

from accounts import rate_limits


def arrival_attempt(request):
    return rate_limits.Attempt(request, rate_limits.CERTIFICATION_ACCESS, account=request.user.id)


def _browser(request):
    """The browser's Django session key (created if it has none yet: the sign-in page is open to anyone)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def invigilator_attempt(request, number):
    return rate_limits.Attempt(request, rate_limits.INVIGILATOR_PASSWORD, browser=_browser(request), session=number)
