from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """A user holding a temporary password must choose their own before anything else.

    Not when this session was opened through the ENT: the pupil signed in without the temporary password and needs
    no local one. The temporary password stays unusable-until-changed: a sign-in with it still asks for a new one.
    """

    ALLOWED_URL_NAMES = ("account_change_password", "account_logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password and not _through_ent(request):
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(("/static/", "/media/")):
                messages.info(request, "Choisissez votre mot de passe personnel pour continuer.")
                return redirect("account_change_password")
        return self.get_response(request)


def _through_ent(request):
    records = get_authentication_records(request, request.user)
    return bool(records) and records[-1].get("method") == "socialaccount"
