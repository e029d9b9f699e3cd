"""Forms of the results: asking for an export."""

from django import forms

from .models import Report


class ReportForm(forms.Form):
    """Campaign and class are read by id in the view first: another school's id is a 404, not a form error."""

    campaign = forms.IntegerField(
        label="Campagne", error_messages={"required": "Choisissez la campagne.", "invalid": "Choisissez la campagne."}
    )
    kind = forms.ChoiceField(
        label="Fichier",
        choices=Report.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le type de fichier.",
            "invalid_choice": "Choisissez un des types de fichier proposés.",
        },
    )
    division = forms.IntegerField(label="Classe", required=False, error_messages={"invalid": "Classe inconnue."})

    def __init__(self, *args, division_allowed=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.division_allowed = division_allowed

    def clean(self):
        data = super().clean()
        if data.get("kind") == Report.Kind.CLASS_PDF and not data.get("division"):
            self.add_error("division", "Le bilan de classe porte sur une classe : choisissez-la.")
        elif data.get("division") and not self.division_allowed:
            self.add_error(
                "division", "Vous ne suivez pas cette classe : l'export ne contiendrait aucun de ses élèves."
            )
        return data
