from allauth.account.adapter import DefaultAccountAdapter

from .client_address import client_address


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a school (import, invitation), never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """The sign-in limits count per address as the campaign-code throttle does (`client_address`)."""
        return client_address(request) or super().get_client_ip(request)
