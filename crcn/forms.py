"""Form fields about the framework, for every app's forms."""

from itertools import groupby

from django import forms

from .models import Competence


class CompetencesBoundField(forms.BoundField):
    @property
    def by_domain(self):
        """(domain, checkboxes) for each domain, in framework order, for one fieldset per domain."""
        grouped = groupby(self.subwidgets, key=lambda checkbox: checkbox.data["value"].instance.domain)
        return [(domain, list(checkboxes)) for domain, checkboxes in grouped]


class CompetenceChoiceField(forms.ModelMultipleChoiceField):
    """Competences to tick, in framework order, each labelled with its code and title."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Competence.objects.in_framework_order())
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        return CompetencesBoundField(form, self, field_name)

    def label_from_instance(self, competence):
        return f"{competence.code} {competence.title}"
