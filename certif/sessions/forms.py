from django import forms
from django.contrib.auth import get_user_model

from orga.schools.models import School

from .models import Grade, Invigilator, Session

MAX_INVIGILATORS = 10
LIST_STATUSES = [("", "Tous les statuts"), *Session.Status.choices]


def too_long(label):
    """The message of a text longer than the database keeps, naming the field."""
    return f"{label} : %(limit_value)d caractères au plus (vous en avez saisi %(show_value)d)."


def _text(label, max_length, required=True, **kwargs):
    messages = {"max_length": too_long(label), "required": f"{label} : ce champ est obligatoire."}
    return forms.CharField(label=label, max_length=max_length, required=required, error_messages=messages, **kwargs)


class SessionForm(forms.Form):
    grade = forms.ChoiceField(label="Public concerné", choices=Grade.choices)
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Date : ce champ est obligatoire.", "invalid": "Date : saisissez une date."},
    )
    start_time = forms.TimeField(
        label="Heure de début",
        help_text="Au format HH:MM, par exemple 08:30.",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Heure de début : ce champ est obligatoire.",
            "invalid": "Heure de début : saisissez une heure au format HH:MM, par exemple 08:30.",
        },
    )
    room = _text("Salle", Session._meta.get_field("room").max_length, help_text="Par exemple « Salle 104 ».")
    address = _text("Adresse", Session._meta.get_field("address").max_length)
    capacity = forms.IntegerField(
        label="Nombre de places",
        min_value=1,
        max_value=500,
        initial=30,
        error_messages={
            "required": "Nombre de places : ce champ est obligatoire.",
            "invalid": "Nombre de places : saisissez un nombre entier.",
            "min_value": "Nombre de places : au moins %(limit_value)s.",
            "max_value": "Nombre de places : %(limit_value)s au plus.",
        },
    )
    description = _text(
        "Description (facultative)",
        Session._meta.get_field("description").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    invigilator_names = forms.CharField(
        label="Surveillants sans compte",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un nom par ligne, par exemple un assistant d'éducation.",
    )
    invigilator_accounts = forms.ModelMultipleChoiceField(
        label="Surveillants parmi les personnels de l'établissement",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school: School, enrolled=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolled = enrolled
        self.fields["invigilator_accounts"].queryset = (
            get_user_model()
            .objects.filter(memberships__school=school, memberships__is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["invigilator_accounts"].label_from_instance = lambda user: user.display_name

    def clean_invigilator_names(self):
        limit = Invigilator._meta.get_field("name").max_length
        names = []
        for line in self.cleaned_data["invigilator_names"].splitlines():
            name = " ".join(line.split())
            if not name:
                continue
            if len(name) > limit:
                raise forms.ValidationError(
                    f"Surveillants : le nom « {name[:40]}… » compte {len(name)} caractères, {limit} au plus."
                )
            if name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        return names

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < self.enrolled:
            raise forms.ValidationError(
                f"Nombre de places : {self.enrolled} candidats sont déjà inscrits, gardez au moins autant de places."
            )
        return capacity

    def clean(self):
        data = super().clean()
        people = [(user.display_name[:150], user) for user in data.get("invigilator_accounts") or []]
        known = {name.casefold() for name, _ in people}
        people += [(name, None) for name in data.get("invigilator_names") or [] if name.casefold() not in known]
        if "invigilator_names" in data and "invigilator_accounts" in data:
            if not people:
                raise forms.ValidationError("Indiquez au moins un surveillant : un personnel coché ou un nom saisi.")
            if len(people) > MAX_INVIGILATORS:
                raise forms.ValidationError(f"{MAX_INVIGILATORS} surveillants au plus par session.")
        data["invigilators"] = people
        return data

    def session_fields(self):
        names = ("grade", "date", "start_time", "room", "address", "capacity", "description")
        return {name: self.cleaned_data[name] for name in names}

    @staticmethod
    def initial_of(session):
        """The session's values; an invigilator whose account left the school is kept by name."""
        invigilators = list(session.invigilators.all())
        staff = set(
            session.school.memberships.filter(
                is_active=True, user__in=[i.user_id for i in invigilators if i.user_id]
            ).values_list("user_id", flat=True)
        )
        return {
            "grade": session.grade,
            "date": session.date,
            "start_time": session.start_time,
            "room": session.room,
            "address": session.address,
            "capacity": session.capacity,
            "description": session.description,
            "invigilator_names": "\n".join(i.name for i in invigilators if i.user_id not in staff),
            "invigilator_accounts": [i.user_id for i in invigilators if i.user_id in staff],
        }
