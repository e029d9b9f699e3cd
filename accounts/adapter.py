from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.shortcuts import resolve_url


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a school (import, invitation), never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_password_change_redirect_url(self, request):
        """After choosing a password (the forced first one included), home: a pupil's "J'ai un code"."""
        return resolve_url(settings.LOGIN_REDIRECT_URL)
