from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url

from . import rate_limits
from .client_address import client_address
from .signals import sign_in_locked


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a school (import, invitation), never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """allauth's own limits count per address as ours do (`client_address`)."""
        return client_address(request) or super().get_client_ip(request)

    def get_password_change_redirect_url(self, request):
        """After choosing a password (the forced first one included), home: a pupil's "J'ai un code"."""
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    # Wrong passwords count as every typed secret does (`rate_limits`), per account first: the username and the
    # e-mail of one account count together, a login that matches no account counts as typed. allauth's own
    # `login_failed` limit is off (settings): it counts per typed login and per address only.

    def pre_authenticate(self, request, **credentials):
        self._attempt = rate_limits.Attempt(request, rate_limits.PASSWORD, account=_account(credentials))
        refusal = self._attempt.refusal()
        if refusal:
            login = credentials.get("email", credentials.get("username", ""))
            sign_in_locked.send(sender=type(self), request=request, login=login)
            raise forms.ValidationError(refusal.message, code="too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        self._attempt.failed()


def _account(credentials):
    """The id of the account the typed login designates, or the typed login itself."""
    login = (credentials.get("email") or credentials.get("username") or "").strip()
    field = "email__iexact" if "email" in credentials else "username__iexact"
    user_id = get_user_model().objects.filter(**{field: login}).values_list("id", flat=True).first() if login else None
    return user_id or rate_limits.typed(login)
