"""Forms of the project package's own pages."""

from django import forms

from orga.pupils.names import normalized_name


class ErasureConfirmationForm(forms.Form):
    """Erasing a pupil's data is for good: the school admin types the pupil's name to confirm it is this one."""

    name = forms.CharField(
        label="Prénom et nom de l'élève",
        max_length=300,
        error_messages={
            "required": "Tapez le prénom et le nom de l'élève pour confirmer l'effacement.",
            "max_length": "Le nom tapé compte au plus %(limit_value)d caractères (il en a %(show_value)d).",
        },
    )

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_name(self):
        typed = self.cleaned_data["name"]
        if normalized_name(typed) != normalized_name(self.expected):
            raise forms.ValidationError(
                "Le nom tapé n'est pas celui de l'élève : rien n'a été effacé. Tapez-le tel qu'il est écrit ci-dessus."
            )
        return typed
