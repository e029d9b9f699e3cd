"""Form fields about the framework, for every app's forms."""

from django import forms

from .models import Competence


class CompetenceChoiceField(forms.ModelMultipleChoiceField):
    """Competences to tick, in framework order, each labelled with its code and title."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Competence.objects.in_framework_order())
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def label_from_instance(self, competence):
        return f"{competence.code} {competence.title}"
