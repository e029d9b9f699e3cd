"""The journal's filters: an action, a period."""

from django import forms

from .models import AuditEvent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JournalFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes les actions"), *AuditEvent.Action.choices]
    )
    du = forms.DateField(label="Du", required=False, widget=DATE)
    au = forms.DateField(label="Au", required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error("au", "La date de fin doit suivre la date de début.")
        return data
