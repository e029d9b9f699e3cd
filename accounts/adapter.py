from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url

from .client_address import client_address
from .signals import sign_in_locked


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a school (import, invitation), never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """The sign-in limits count per address as the campaign-code throttle does (`client_address`)."""
        return client_address(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """allauth's limit on failed sign-ins, told to whoever listens when it refuses one."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login = credentials.get("email", credentials.get("username", ""))
            sign_in_locked.send(sender=type(self), request=request, login=login)
            raise

    def get_password_change_redirect_url(self, request):
        """After choosing a password (the forced first one included), home: a pupil's "J'ai un code"."""
        return resolve_url(settings.LOGIN_REDIRECT_URL)
