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
