"""The client's address, read once for every limiter (allauth's sign-in limits and the campaign-code throttle).

Behind `TRUSTED_PROXY_COUNT` reverse proxies, each one appends the address it saw to `X-Forwarded-For`: the
entry that many places from the right was written by the proxy nearest to the client, everything to its left
is whatever the client sent. With no trusted proxy (the default) the header is ignored: anyone can forge it.
"""

import ipaddress

from django.conf import settings


def _valid(address):
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if count > 0 and len(forwarded) >= count:
        return _valid(forwarded[-count]) or remote
    return remote
