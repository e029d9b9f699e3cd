from django import forms

EXTRA_TIME_MESSAGES = {
    "required": "Temps majoré : indiquez un pourcentage, 0 s'il n'y en a pas.",
    "invalid": "Temps majoré : saisissez un nombre entier de 0 à 100.",
    "min_value": "Temps majoré : 0 %% au moins.",
    "max_value": "Temps majoré : 100 %% au plus (le double du temps).",
}


def extra_time_field():
    return forms.IntegerField(
        label="Temps majoré (%)",
        min_value=0,
        max_value=100,
        initial=0,
        help_text="De 0 à 100 %, souvent 33 % : un tiers-temps (PAP, PPS).",
        error_messages=EXTRA_TIME_MESSAGES,
    )


class EnrolmentForm(forms.Form):
    extra_time_percentage = extra_time_field()


class ExtraTimeForm(forms.Form):
    extra_time_percentage = extra_time_field()
