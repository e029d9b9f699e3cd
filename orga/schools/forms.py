"""Forms of the orga pages, rendered with `components/_form_fields.html` (DSFR markup)."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from .models import Membership, School


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr",
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Rôle", choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Membership.Role.choices)


class AccountForm(forms.Form):
    """The invited person's new account: the e-mail (and username) comes from the invitation."""

    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Au moins 12 caractères, sans ressembler à votre nom ni à votre adresse électronique.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif password1:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SchoolSettingsForm(forms.ModelForm):
    """« Paramètres de l'établissement », for its admins."""

    class Meta:
        model = School
        fields = ["teachers_restricted_to_assigned_classes"]
        labels = {"teachers_restricted_to_assigned_classes": "Réserver à chaque enseignant ses classes attribuées"}
        help_texts = {
            "teachers_restricted_to_assigned_classes": (
                "Décoché (par défaut, comme dans Pix Orga) : chaque enseignant choisit les classes qu'il suit. "
                "Coché : un enseignant ne voit que les classes qu'un administrateur lui attribue "
                "dans la liste des membres (suivi, relances, lettre aux familles, résultats et exports)."
            )
        }


class AssignClassesForm(forms.ModelForm):
    """The classes an admin assigns to a member (the classes of the member's school only)."""

    class Meta:
        model = Membership
        fields = ["assigned_divisions"]
        labels = {"assigned_divisions": "Classes attribuées"}
        widgets = {"assigned_divisions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_divisions"]
        field.queryset = field.queryset.filter(school=self.instance.school_id).order_by("name")
        field.error_messages["invalid_choice"] = "Choisissez parmi les classes de l'établissement."
        field.error_messages["invalid_pk_value"] = "Choisissez parmi les classes de l'établissement."
