"""Staff choose long passwords: 12 characters at least for teachers, school admins and superusers, 8 for pupils.

A pupil's account is the one an `orga` pupil points to (the reverse one-to-one `user.pupil`, read without importing
orga); everyone else reaches a school's data, so the stronger rule applies to them, to a superuser even if linked to
a pupil, and when the user is not known yet. Pupils' temporary passwords, generated for the class sheets, are set
directly and never pass through here.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError


def is_pupil(user):
    if user is None or user.is_superuser or user.pk is None:
        return False
    try:
        return user.pupil is not None
    except (ObjectDoesNotExist, AttributeError):
        return False


class MinimumLengthByRoleValidator:
    def __init__(self, staff=12, pupil=8):
        self.staff, self.pupil = staff, pupil

    def _minimum(self, user):
        return self.pupil if is_pupil(user) else self.staff

    def validate(self, password, user=None):
        minimum = self._minimum(user)
        if len(password) < minimum:
            who = "" if minimum == self.pupil else " pour un compte du personnel"
            raise ValidationError(
                f"Ce mot de passe est trop court{who} : il doit contenir au moins {minimum} caractères.",
                code="password_too_short",
                params={"min_length": minimum},
            )

    def get_help_text(self):
        return (
            f"Au moins {self.staff} caractères pour le personnel (enseignants, administrateurs), "
            f"{self.pupil} pour les élèves."
        )
