from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from django import forms

from . import rate_limits


class LoginForm(AllauthLoginForm):
    """Pupils sign in with the username of their sheet, staff with either."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Identifiant ou adresse électronique"
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["placeholder"] = ""
        self.fields["password"].help_text = ""


class ChangePasswordForm(AllauthChangePasswordForm):
    """The new password must differ from the current one (the temporary one, at a pupil's first sign-in)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user.must_change_password:
            self.fields["oldpassword"].label = "Mot de passe provisoire"
        self.fields["oldpassword"].help_text = ""  # not the e-mail reset: pupils have no address

    def clean_oldpassword(self):
        """The current password is a password typed: its wrong tries count against the account as at sign-in."""
        attempt = rate_limits.Attempt(context.request, rate_limits.PASSWORD, account=self.user.id)
        if refusal := attempt.refusal():
            raise forms.ValidationError(refusal.message)
        try:
            return super().clean_oldpassword()
        except forms.ValidationError:
            attempt.failed()
            raise

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        if self.user.check_password(password):
            current = "provisoire" if self.user.must_change_password else "actuel"
            raise forms.ValidationError(f"Choisissez un mot de passe différent du mot de passe {current}.")
        return password
