from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """A user holding a temporary password must choose their own before anything else."""

    ALLOWED_URL_NAMES = ("account_change_password", "account_logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(("/static/", "/media/")):
                messages.info(request, "Choisissez votre mot de passe personnel pour continuer.")
                return redirect("account_change_password")
        return self.get_response(request)
