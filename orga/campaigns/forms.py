from django import forms
from django.contrib.auth import get_user_model

from crcn.forms import CompetenceChoiceField
from crcn.models import Competence
from crcn.presets import PRESETS_BY_CODE, preset_choices
from orga.pupils.models import Division

from .models import ARCHIVED, IN_PROGRESS, LIST_STATUSES, Campaign


class CampaignForm(forms.Form):
    name = forms.CharField(
        label="Nom de la campagne",
        max_length=150,
        help_text="Visible par les élèves, par exemple « Parcours de rentrée 4e — 2026 ».",
        error_messages={"required": "Donnez un nom à la campagne."},
    )
    type = forms.ChoiceField(
        label="Type",
        choices=Campaign.Type.choices,
        initial=Campaign.Type.ASSESSMENT,
        help_text="Évaluation : les compétences choisies. Collecte de profils : les 16 compétences.",
    )
    preset = forms.ChoiceField(
        label="Parcours prêt à l'emploi",
        required=False,
        choices=[("", "— Choisir les compétences une à une —"), *preset_choices()],
        help_text="Par thème ou par discipline ; il remplace les compétences cochées ci-dessous.",
    )
    competences = CompetenceChoiceField(label="Compétences évaluées", required=False)
    divisions = forms.ModelMultipleChoiceField(
        label="Classes visées (facultatif)",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune classe cochée : tous les élèves de l'établissement peuvent participer.",
    )
    multiple_sendings = forms.BooleanField(
        label="Autoriser les envois multiples (l'élève peut repasser le parcours après avoir envoyé ses résultats)",
        required=False,
    )
    description = forms.CharField(
        label="Message aux élèves (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, school, lock_competences=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"].queryset = Division.objects.filter(school=school)
        if lock_competences:
            for name in ("type", "preset", "competences"):
                self.fields[name].disabled = True
            self.fields["competences"].help_text = "Des élèves ont commencé : les compétences ne changent plus."

    def clean(self):
        data = super().clean()
        if self.fields["competences"].disabled:
            return data
        if data.get("type") == Campaign.Type.PROFILES_COLLECTION:
            data["competence_codes"] = sorted(Competence.objects.values_list("code", flat=True))
        elif data.get("preset"):
            data["competence_codes"] = list(PRESETS_BY_CODE[data["preset"]].competences)
        elif data.get("competences"):
            data["competence_codes"] = [c.code for c in data["competences"]]
        else:
            self.add_error("competences", "Choisissez au moins une compétence ou un parcours prêt à l'emploi.")
        return data


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class CampaignFilterForm(forms.Form):
    """The campaign list's filters, read from the address (GET): a filter that does not validate is ignored."""

    nom = forms.CharField(label="Nom", max_length=150, required=False)
    proprietaire = OwnerChoiceField(
        label="Propriétaire", queryset=get_user_model().objects.none(), required=False, empty_label="Tous"
    )
    mes = forms.BooleanField(label="Mes campagnes", required=False)
    statut = forms.ChoiceField(label="Statut", choices=LIST_STATUSES, required=False)

    def __init__(self, data, *, school, user):
        data = data.copy()
        if data.get("archivees") == "1" and not data.get("statut"):  # the list's former link to archived ones
            data["statut"] = ARCHIVED
        super().__init__(data)
        self.user = user
        self.fields["proprietaire"].queryset = (
            get_user_model()
            .objects.filter(owned_campaigns__school=school)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )

    def filter(self, campaigns):
        self.is_valid()
        data = self.cleaned_data  # the fields that validated
        owners = [owner for owner in (data.get("proprietaire"), data.get("mes") and self.user) if owner]
        status = data.get("statut") or IN_PROGRESS
        return campaigns.matching(name=data.get("nom", "").strip(), owners=owners, status=status)

    @property
    def is_default(self):
        """No filter but the default status: the list is the school's campaigns in progress."""
        self.is_valid()
        data = self.cleaned_data
        return (
            not (data.get("nom") or data.get("proprietaire") or data.get("mes"))
            and (data.get("statut") or IN_PROGRESS) == IN_PROGRESS
        )
