"""The upload of a Pix export (campaign or certification session)."""

from django import forms

from .csv_reading import MAX_FILE_BYTES


class PixExportForm(forms.Form):
    file = forms.FileField(
        label="Fichier exporté de Pix",
        help_text="Le fichier CSV tel que Pix le donne (séparateur « ; »). 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError("Le fichier dépasse 20 Mo : ce n'est pas un export de Pix.")
        if not file.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                "Ce fichier n'est pas un fichier CSV (.csv) : déposez l'export de Pix tel que Pix le donne."
            )
        return file
