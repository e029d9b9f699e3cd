"""The claims of the test ENT's users, and the faults some of them are set up to commit on their ID token.

A user's `fault` makes the provider itself hand pixdeploy a bad ID token through the real flow: "audience" (issued
for another client), "nonce" (another sign-in's nonce), "signature" (signed by a key the JWKS does not publish),
"algorithm" (HS256, keyed with a shared secret);
or, with "userinfo", a userinfo endpoint's answer about another `sub`.
"""

import json

from django.conf import settings
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator


def _user(username):
    return next(user for user in settings.USERS if user["username"] == username)


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, ÉduConnect's FrEduCtEleveINE included

    def get_claim_dict(self, request):
        entry = _user(request.user.username)
        return {"sub": entry["sub"], **entry.get("claims", {})}

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        if _user(request.user.username).get("fault") == "userinfo":
            claims["sub"] = "quelqu-un-d-autre"
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        fault = _user(request.user.username).get("fault")
        if not fault:
            return signed
        original = jwt.JWT(jwt=signed, key=request.client.jwk_key)
        claims = json.loads(original.claims)
        key = request.client.jwk_key
        if fault == "audience":
            claims["aud"] = "un-autre-client"
        elif fault == "nonce":
            claims["nonce"] = "le-nonce-d-une-autre-connexion"
        elif fault == "signature":
            key = jwk.JWK.generate(kty="RSA", size=2048)  # the header keeps the published key's kid
        header = json.loads(original.header)
        if fault == "algorithm":
            header["alg"] = "HS256"
            key = jwk.JWK.generate(kty="oct", size=256)  # a shared secret: whatever it is, the algorithm is refused
        forged = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
        forged.make_signed_token(key)
        return forged.serialize()
