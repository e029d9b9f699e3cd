"""API clients: created with a random identifier and secret, the secret shown once and stored hashed."""

import secrets

from django.contrib.auth.hashers import check_password, make_password

from ..models import CERTIFICATIONS_SCOPE, ApiClient

# Checked against when the client id is unknown, so that an unknown client costs as long as a wrong secret.
_UNUSABLE = make_password(None)


def new_secret():
    return secrets.token_urlsafe(32)


def new_client_id():
    return f"client-{secrets.token_hex(8)}"


def set_new_secret(client):
    """Give the (unsaved or saved) client a new secret; returns it in clear, the only time it exists."""
    secret = new_secret()
    client.secret_hash = make_password(secret)
    if not client.client_id:
        client.client_id = new_client_id()
    return secret


def create_client(name, scopes=CERTIFICATIONS_SCOPE):
    """(client, secret in clear) of a new active client."""
    client = ApiClient(name=name, scopes=" ".join(scopes.split()))
    secret = set_new_secret(client)
    client.save()
    return client, secret


def authenticate(client_id, client_secret):
    """The active client with this id and secret, or None; a hash is checked whatever the outcome."""
    client = ApiClient.objects.filter(client_id=client_id).first() if client_id else None
    if client is None:
        check_password(client_secret or "", _UNUSABLE)
        return None
    if not check_password(client_secret or "", client.secret_hash) or not client.is_active:
        return None
    return client
