"""OIDC_PROVIDERS, the environment's OpenID Connect providers: read into allauth's settings, or refused in French."""

import json

import pytest

from accounts.oidc.config import PROVIDER_CLASS, ConfigurationError, parse_providers, socialaccount_providers

EDUCONNECT = {
    "id": "educonnect",
    "name": "ÉduConnect",
    "server_url": "https://educonnect.example/idp",
    "client_id": "pixdeploy",
    "secret": "s3cret",
    "ine_claim": "FrEduCtEleveINE",
}


def test_nothing_configured_gives_no_provider_but_the_strict_class():
    assert parse_providers("") == [] and parse_providers("  ") == []
    assert socialaccount_providers("")["openid_connect"]["provider_class"] == PROVIDER_CLASS


def test_a_provider_becomes_an_allauth_app_with_its_matching_claims():
    (app,) = parse_providers(json.dumps([EDUCONNECT, {**EDUCONNECT, "id": "ent-2"}]))[:1]
    assert app["provider_id"] == "educonnect" and app["name"] == "ÉduConnect"
    assert (app["client_id"], app["secret"]) == ("pixdeploy", "s3cret")
    assert app["settings"] == {
        "server_url": "https://educonnect.example/idp",
        "ine_claim": "FrEduCtEleveINE",
        "uai_claim": "",
        "email_claim": "email",
        "email_always_verified": False,
        "scope": ["openid", "profile", "email"],
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
    }


def test_options_are_passed_on():
    entry = {**EDUCONNECT, "email_claim": "", "pkce": False, "token_auth_method": "client_secret_basic"}
    settings = parse_providers(json.dumps([entry]))[0]["settings"]
    assert settings["email_claim"] == "" and settings["oauth_pkce_enabled"] is False
    assert settings["token_auth_method"] == "client_secret_basic"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "n'est pas du JSON valide"),
        (json.dumps(EDUCONNECT), "doit être une liste"),
        (json.dumps(["educonnect"]), "fournisseur n° 1 : un objet"),
        (json.dumps([{**EDUCONNECT, "secret": ""}]), "il manque secret"),
        (json.dumps([{**EDUCONNECT, "ine": "x"}]), "clé inconnue ine"),
        (json.dumps([{**EDUCONNECT, "id": "Édu Connect"}]), "l'id « Édu Connect »"),
        (json.dumps([EDUCONNECT, EDUCONNECT]), "fournisseur n° 2 : l'id « educonnect » doit être unique"),
        (json.dumps([{**EDUCONNECT, "server_url": "http://educonnect.example"}]), "doit commencer par https://"),
    ],
)
def test_a_malformed_configuration_is_refused_with_a_french_message(text, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_providers(text)
