"""The access token: signed and stateless, it holds the client id and the scopes granted, valid 4 hours.

It is salted for this API only: nothing else the app signs (sessions, password resets) can pass for it, and a
user's sign-in never authorises the API."""

from django.core import signing

SALT = "certif.handover.api.token"
MAX_AGE_SECONDS = 4 * 60 * 60


def issue(client, scopes):
    return signing.dumps({"client_id": client.client_id, "scopes": list(scopes)}, salt=SALT, compress=True)


def read(token):
    """{"client_id", "scopes"} of a valid, unexpired token; None otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("scopes"), list):
        return None
    return payload


def bearer(request):
    """The token of an `Authorization: Bearer …` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
