"""The OpenID Connect providers of a deployment, read from the environment (`OIDC_PROVIDERS`, JSON).

Django-free: it turns the JSON a deployment writes into allauth's `SOCIALACCOUNT_PROVIDERS["openid_connect"]`,
and refuses a malformed one with a French message at start-up rather than at a pupil's first sign-in.

    OIDC_PROVIDERS='[{"id": "educonnect", "name": "ÉduConnect", "server_url": "https://…",
                      "client_id": "…", "secret": "…", "ine_claim": "FrEduCtEleveINE"}]'
"""

import json
import re

PROVIDER_CLASS = "accounts.oidc.provider.StrictOpenIDConnectProvider"
REQUIRED = ("id", "name", "server_url", "client_id", "secret")
# Settings a provider may carry besides the required ones, and their defaults.
OPTIONAL = {
    "ine_claim": "",  # the claim holding a pupil's INE (ÉduConnect: FrEduCtEleveINE); empty: no match by INE
    "uai_claim": "",  # the claim holding the pupil's school UAI (ÉduConnect: FrEduCtEleveUAI); set: INE looked up there
    "email_claim": "email",  # the claim holding a staff member's address; empty: no match by e-mail
    "email_always_verified": False,  # an ENT whose addresses are the académie's, sending no email_verified
    "scope": ["openid", "profile", "email"],
    "pkce": True,
    "fetch_userinfo": True,
    "token_auth_method": "",  # client_secret_basic or client_secret_post; empty: read from the discovery
}
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class ConfigurationError(ValueError):
    pass


def app_settings(entry):
    """The `settings` of an allauth app (or of a SocialApp row) from one provider's entry."""
    options = {key: entry.get(key, default) for key, default in OPTIONAL.items()}
    settings = {
        "server_url": entry["server_url"],
        "ine_claim": options["ine_claim"],
        "uai_claim": options["uai_claim"],
        "email_claim": options["email_claim"],
        "email_always_verified": bool(options["email_always_verified"]),
        "scope": list(options["scope"]),
        "oauth_pkce_enabled": bool(options["pkce"]),
        "fetch_userinfo": bool(options["fetch_userinfo"]),
    }
    if options["token_auth_method"]:
        settings["token_auth_method"] = options["token_auth_method"]
    return settings


def parse_providers(text):
    """The allauth apps of `OIDC_PROVIDERS` (JSON: a list of objects); an empty text gives none."""
    if not text.strip():
        return []
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"OIDC_PROVIDERS n'est pas du JSON valide : {error.msg} (ligne {error.lineno})."
        ) from None
    if not isinstance(entries, list):
        raise ConfigurationError("OIDC_PROVIDERS doit être une liste de fournisseurs : [{…}, …].")
    apps, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigurationError(f"OIDC_PROVIDERS, fournisseur n° {position} : un objet {{…}} est attendu.")
        missing = [key for key in REQUIRED if not str(entry.get(key) or "").strip()]
        if missing:
            raise ConfigurationError(f"OIDC_PROVIDERS, fournisseur n° {position} : il manque {', '.join(missing)}.")
        unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise ConfigurationError(f"OIDC_PROVIDERS, fournisseur n° {position} : clé inconnue {', '.join(unknown)}.")
        if not PROVIDER_ID.match(entry["id"]) or entry["id"] in seen:
            raise ConfigurationError(
                f"OIDC_PROVIDERS, fournisseur n° {position} : l'id « {entry['id']} » doit être unique, en minuscules, "
                "chiffres et tirets (40 caractères au plus)."
            )
        if not entry["server_url"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigurationError(
                f"OIDC_PROVIDERS, fournisseur n° {position} : server_url doit commencer par https://."
            )
        seen.add(entry["id"])
        apps.append(
            {
                "provider_id": entry["id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry["secret"],
                "settings": app_settings(entry),
            }
        )
    return apps


def socialaccount_providers(text):
    """`SOCIALACCOUNT_PROVIDERS`: the strict provider class, and the apps of the environment."""
    return {
        "openid_connect": {"provider_class": PROVIDER_CLASS, "OAUTH_PKCE_ENABLED": True, "APPS": parse_providers(text)}
    }
