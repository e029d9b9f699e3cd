from django import forms

from .services import COMMENT_MAX


class CommentForm(forms.Form):
    comment_for_organisation = forms.CharField(
        label="Commentaire pour l'établissement",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": "Commentaire pour l'établissement : %(limit_value)d caractères au plus "
            "(il en compte %(show_value)d)."
        },
    )
