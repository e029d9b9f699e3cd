"""Sign-in through the ENT or ÉduConnect: which pixdeploy account an ENT identity signs in to.

An identity already linked (allauth's SocialAccount: the provider's id and the identity's `sub`) signs in to its
account. At an identity's first sign-in, the claims the provider is configured to read find the account: the
pupil's INE (`ine_claim`, ÉduConnect's FrEduCtEleveINE) → the active pupil with that INE and an account, in the
school of the UAI claim if one is configured (`uai_claim`, ÉduConnect's FrEduCtEleveUAI); the
address (`email_claim`) → the active staff member with that address, if the provider says it is verified. The
identity is then linked for good. Nothing found, or two accounts: refused, never created. A school admin links or
unlinks a pupil's account by hand from the pupil's page, with the identifier the refusal page shows.
"""

import logging
import re
from urllib.parse import urlsplit

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import render

from .models import Pupil

logger = logging.getLogger(__name__)


def claims_of(extra_data):
    """The identity's claims: the ID token's, completed by the userinfo endpoint's."""
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


def _single(queryset):
    found = list(queryset[:2])
    return found[0] if len(found) == 1 else None


def _claim(claims, name):
    value = claims.get(name) if name else None
    return str(value).strip() if isinstance(value, str | int) and str(value).strip() else ""


def account_for(claims, settings):
    """The one active account the identity's claims designate, or None (unknown, or ambiguous)."""
    if ine := _claim(claims, settings.get("ine_claim")).upper():
        pupils = Pupil.objects.filter(ine=ine, is_active=True, user__isnull=False, user__is_active=True)
        if settings.get("uai_claim"):  # the school the ENT says the pupil is in, and no other
            pupils = pupils.filter(school__uai=_claim(claims, settings["uai_claim"]).upper())
        pupil = _single(pupils.select_related("user"))
        if pupil:
            return pupil.user
    email = _claim(claims, settings.get("email_claim"))
    verified = settings.get("email_always_verified") or claims.get("email_verified") in (True, "true")
    if email and verified:
        return _single(
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True, memberships__is_active=True, pupil__isnull=True)
            .distinct()
        )
    return None


class EntAccountAdapter(DefaultSocialAccountAdapter):
    """Never creates an account: links an identity to the account its claims designate, or refuses."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # linked already, or a signed-in user linking their own ENT identity (« Comptes ENT »)
        provider = sociallogin.provider
        user = account_for(claims_of(sociallogin.account.extra_data), provider.app.settings)
        if user is None:
            context = {"provider_name": provider.name, "identifier": sociallogin.account.uid}
            raise ImmediateHttpResponse(render(request, "socialaccount/ent_refused.html", context, status=403))
        sociallogin.connect(request, user)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A refused ID token (audience, signature, nonce…) or an unreachable provider: said in the logs."""
        cause = getattr(exception, "__cause__", None)
        logger.warning(
            "Connexion par %s refusée : %s (%r, %r)", getattr(provider, "name", "?"), error, exception, cause
        )


def ent_providers():
    """The configured providers (environment and admin site), as (provider_id, name) pairs."""
    adapter = DefaultSocialAccountAdapter()
    return [(app.provider_id or app.provider, app.name) for app in adapter.list_apps(None, provider="openid_connect")]


HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def ent_origins():
    """The configured providers' origins (scheme://host[:port]), for the sign-in pages' form-action."""
    origins = set()
    for app in DefaultSocialAccountAdapter().list_apps(None, provider="openid_connect"):
        parts = urlsplit(str(app.settings.get("server_url", "")))
        if parts.scheme in ("http", "https") and HOST.match(parts.netloc):
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def ent_links(user):
    """The ENT identities linked to an account."""
    if user is None:
        return SocialAccount.objects.none()
    return SocialAccount.objects.filter(user=user).order_by("provider", "uid")


def link(user, provider_id, identifier):
    """Link the identity to the account: the new link, or None when it was already there; an identity already
    linked to another account is refused (ValueError)."""
    with transaction.atomic():
        existing = SocialAccount.objects.select_for_update().filter(provider=provider_id, uid=identifier).first()
        if existing and existing.user_id != user.pk:
            raise ValueError("Cet identifiant ENT est déjà relié à un autre compte pixdeploy.")
        if not existing:
            return SocialAccount.objects.create(user=user, provider=provider_id, uid=identifier, extra_data={})
    return None


def unlink(user, link_id):
    """Remove the account's link: the link removed, or None when there was none (already removed)."""
    with transaction.atomic():
        removed = SocialAccount.objects.select_for_update().filter(user=user, pk=link_id).first()
        if removed is not None:
            removed.delete()
    return removed
