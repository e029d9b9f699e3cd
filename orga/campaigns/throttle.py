"""Wrong campaign codes, counted as every typed secret (`accounts.rate_limits`): per pupil account first, then per
address far above a class, so one pupil's typos never lock out the class."""

from accounts import rate_limits


def attempt(request):
    account = request.user.id if request.user.is_authenticated else None
    return rate_limits.Attempt(request, rate_limits.CAMPAIGN_CODE, account=account)
