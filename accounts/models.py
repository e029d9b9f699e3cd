from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class User(AbstractUser):
    """Anyone who signs in: school staff (by e-mail or username) and pupils (username only).

    The e-mail is optional: pupils' accounts are generated from the SIECLE import
    without one. Who the user is in a school (admin, member, pupil) lives in `orga`.
    """

    email = models.EmailField("adresse électronique", blank=True)
    must_change_password = models.BooleanField(
        "doit changer son mot de passe",
        default=False,
        help_text="Vrai tant qu'un mot de passe provisoire n'a pas été remplacé.",
    )
    weekly_digest = models.BooleanField(
        "reçoit le récapitulatif hebdomadaire",
        default=True,
        help_text="Le courriel du lundi : étapes en retard (administrateurs), classes en retard (enseignants).",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_when_set",
            )
        ]

    @property
    def display_name(self):
        return self.get_full_name() or self.username
