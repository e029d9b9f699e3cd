"""Forms of the pupils: importing the SIECLE file."""

from django import forms

from .siecle import MAX_FILE_BYTES, too_big_message


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des élèves",
        help_text="Export SIECLE « ElevesSansAdresses » (.xml ou .zip) ou, pour les lycées agricoles, le fichier "
        "CSV (séparateur « ; »). 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
    )

    def __init__(self, *args, school=None, refused=None, **kwargs):
        """`school`: the file it expects is named. `refused`: why the upload was stopped before it reached the
        form (then the file is missing)."""
        super().__init__(*args, **kwargs)
        if school is not None:
            self.fields["file"].help_text = (
                "Le fichier CSV des élèves (séparateur « ; »), 20 Mo au plus."
                if school.is_agricultural
                else "L'export SIECLE « ElevesSansAdresses » (.xml ou .zip), 20 Mo au plus."
            )
        if refused:
            self.fields["file"].error_messages = {**self.fields["file"].error_messages, "required": refused}

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(too_big_message(file.size))
        return file


class EntLinkForm(forms.Form):
    """A school admin links a pupil's account to an ENT identity: the identifier the refusal page showed."""

    provider = forms.ChoiceField(label="ENT")
    identifier = forms.CharField(
        label="Identifiant ENT",
        max_length=191,  # allauth's SocialAccount.uid
        help_text="L'identifiant affiché à l'élève quand sa connexion par l'ENT a été refusée.",
        error_messages={
            "required": "Saisissez l'identifiant ENT de l'élève.",
            "max_length": "L'identifiant ENT compte au plus %(limit_value)d caractères (il en a %(show_value)d).",
        },
    )

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = list(providers)
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0][0]
