"""Forms of the pupils: importing the SIECLE file."""

from django import forms

from .siecle import MAX_FILE_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des élèves",
        help_text="Export SIECLE « ElevesSansAdresses » (.xml ou .zip) ou, pour les lycées agricoles, le fichier "
        "CSV (séparateur « ; »). 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"Le fichier pèse {file.size / 1024 / 1024:.1f} Mo : la limite est de 20 Mo. "
                "Déposez l'export zippé ou vérifiez que c'est le bon fichier."
            )
        return file
