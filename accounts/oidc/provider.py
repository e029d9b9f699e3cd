"""allauth's OpenID Connect provider, with the ID token checked in full.

allauth's own provider skips the token's signature when the token came straight from the token endpoint, and sends
no nonce. Here every ID token is checked against the provider's published keys (JWKS), its issuer, its audience
(our client id), its expiry, and the nonce of the sign-in that asked for it; the userinfo endpoint's answer must
be about the same `sub`. The nonce is derived from the sign-in's
state, which allauth keeps in the browser's session: a token obtained for another sign-in carries another nonce.
The provider keeps allauth's id (`openid_connect`) and URL names, so SocialApp rows and settings are allauth's.
"""

import hmac

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import get_request_param
from django.http import Http404
from django.utils.crypto import salted_hmac

NONCE_SALT = "accounts.oidc.nonce"
# Signed with the provider's private key only: never "none", nor HS256 keyed with a public key or a shared secret.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


def nonce_for(state_id):
    """The nonce sent with a sign-in, bound to its state (itself bound to the browser's session)."""
    return salted_hmac(NONCE_SALT, state_id or "", algorithm="sha256").hexdigest()


class NonceClient(OAuth2Client):
    def get_redirect_url(self, authorization_url, scope, extra_params):
        return super().get_redirect_url(authorization_url, scope, {**extra_params, "nonce": nonce_for(self.state)})


class StrictOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    client_class = NonceClient

    def _decode_id_token(self, app, id_token):
        """Algorithm, signature, issuer, audience, expiry (jwtkit), then the nonce of this sign-in."""
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("Invalid id_token") from error
        if algorithm not in ALGORITHMS:
            raise OAuth2Error(f"Invalid id_token: algorithm {algorithm!r}")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        expected = nonce_for(get_request_param(self.request, "state"))
        if not hmac.compare_digest(str(claims.get("nonce", "")), expected):
            raise OAuth2Error("Invalid id_token: nonce")
        return claims

    def complete_login(self, request, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("No id_token")  # userinfo alone proves nothing about this sign-in
        login = super().complete_login(request, app, token, **kwargs)
        data = login.account.extra_data
        if "userinfo" in data and str(data["userinfo"].get("sub")) != str(data["id_token"].get("sub")):
            raise OAuth2Error("userinfo's sub differs from the id_token's")  # OpenID Connect Core 5.3.2
        return login


class StrictOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = StrictOpenIDConnectAdapter
    package = "accounts.oidc"  # its urls.py: allauth's paths, served by the strict adapter


def _view(view_class):
    def view(request, provider_id):
        try:
            return view_class.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))(request)
        except SocialApp.DoesNotExist as missing:
            raise Http404 from missing

    return view


login = _view(OAuth2LoginView)
callback = _view(OAuth2CallbackView)
