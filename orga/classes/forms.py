"""Forms of the classes followed by teachers (choice, objective) and of the shared teaching resources."""

from pathlib import PurePath

from django import forms

from crcn.forms import CompetenceChoiceField
from crcn.levels import max_reachable_level
from crcn.scoring import COMPETENCE_COUNT, HIGHEST_LEVEL
from orga.pupils.models import Division

from .models import ClassObjective, Resource

MAX_RESOURCE_SIZE = 10 * 1024 * 1024
RESOURCE_EXTENSIONS = ("pdf", "odt", "docx", "pptx", "odp", "png", "jpg", "jpeg", "zip", "txt", "html")
RESOURCE_LEVELS = [(n, f"Niveau {n}") for n in range(1, HIGHEST_LEVEL + 1)]


class ChooseClassesForm(forms.Form):
    divisions = forms.ModelMultipleChoiceField(
        label="Les classes que je suis",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Vous suivez l'avancée de leurs élèves et pouvez fixer leur objectif de l'année.",
        error_messages={"invalid_choice": "Choisissez parmi les classes de l'établissement."},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"].queryset = Division.objects.filter(school=school)


def _bounded(label, low, high, message, help_text):
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


def _level_target():
    """Up to the highest level open to pupils, as configured when the form is made."""
    top = max_reachable_level()
    return _bounded(
        "Niveau visé dans chacune",
        1,
        top,
        f"Indiquez un niveau entre 1 et {top}.",
        f"Du niveau 1 (débutant) au niveau {top}, le plus haut ouvert sur Pix.",
    )


class ClassObjectiveForm(forms.ModelForm):
    competences_target = _bounded(
        "Nombre de compétences à travailler dans l'année",
        1,
        COMPETENCE_COUNT,
        f"Indiquez un nombre de compétences entre 1 et {COMPETENCE_COUNT}.",
        "5 compétences correspondent à environ 2 heures d'activité sur Pix.",
    )

    class Meta:
        model = ClassObjective
        fields = ["competences_target", "level_target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level_target"] = _level_target()


class ResourceForm(forms.ModelForm):
    title = forms.CharField(
        label="Titre", max_length=200, error_messages={"required": "Donnez un titre à la ressource."}
    )
    description = forms.CharField(
        label="Description (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pour quoi faire, avec quels élèves, en combien de temps.",
    )
    url = forms.URLField(
        label="Lien",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Adresse d'une page, d'une vidéo ou d'un document en ligne ; ou bien joignez un fichier.",
        error_messages={"invalid": "Saisissez une adresse web valide, par exemple https://exemple.fr/page."},
    )
    file = forms.FileField(
        label="Fichier",
        required=False,
        help_text="10 Mo au plus : " + ", ".join(RESOURCE_EXTENSIONS) + ".",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in RESOURCE_EXTENSIONS)}),
    )
    competences = CompetenceChoiceField(
        label="Compétences visées", error_messages={"required": "Choisissez au moins une compétence."}
    )
    level_min = forms.TypedChoiceField(label="Du niveau", choices=RESOURCE_LEVELS, coerce=int, initial=1)
    level_max = forms.TypedChoiceField(label="Au niveau", choices=RESOURCE_LEVELS, coerce=int, initial=3)

    class Meta:
        model = Resource
        fields = ["title", "description", "url", "file", "competences", "level_min", "level_max"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        extension = PurePath(upload.name).suffix.lower().lstrip(".")
        if extension not in RESOURCE_EXTENSIONS:
            raise forms.ValidationError(
                "Ce type de fichier n'est pas accepté. Types acceptés : " + ", ".join(RESOURCE_EXTENSIONS) + "."
            )
        if upload.size > MAX_RESOURCE_SIZE:
            raise forms.ValidationError("Le fichier dépasse 10 Mo : compressez-le ou partagez plutôt un lien.")
        return upload

    def clean(self):
        data = super().clean()
        has_url, has_file = bool(data.get("url")), bool(data.get("file"))
        if "url" in data and "file" in data and has_url == has_file:
            if has_url:
                self.add_error(None, "Indiquez un lien ou un fichier, pas les deux.")
            else:
                self.add_error(None, "Indiquez un lien ou joignez un fichier.")
        low, high = data.get("level_min"), data.get("level_max")
        if low is not None and high is not None and low > high:
            self.add_error("level_max", "Le niveau de fin doit être supérieur ou égal au niveau de début.")
        return data
