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

    def __init__(self, *args, refused=None, **kwargs):
        """`refused`: why the upload was stopped before it reached the form (then the file is missing)."""
        super().__init__(*args, **kwargs)
        if refused:
            self.fields["file"].error_messages = {**self.fields["file"].error_messages, "required": refused}

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(too_big_message(file.size))
        return file
