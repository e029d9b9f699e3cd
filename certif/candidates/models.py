"""Candidates: pupils enrolled in a session, with a copy of their identity at enrolment."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from certif.sessions.models import Session
from orga.pupils.models import Pupil


class Candidate(models.Model):
    """A pupil enrolled in a session. The identity is copied at enrolment: a later SIECLE import changes the
    pupil, never the candidate whose certificate bears these names."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="candidates")
    pupil = models.ForeignKey(
        Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="certification_candidacies"
    )
    ine = models.CharField("INE", max_length=11)
    last_name = models.CharField("nom de famille", max_length=100)
    preferred_last_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    middle_name = models.CharField("deuxième prénom", max_length=100, blank=True)
    third_name = models.CharField("troisième prénom", max_length=100, blank=True)
    birthdate = models.DateField("date de naissance")
    birth_city = models.CharField("commune de naissance", max_length=100, blank=True)
    birth_city_code = models.CharField("code commune de naissance", max_length=5, blank=True)
    birth_country_code = models.CharField("code pays de naissance", max_length=3, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Pupil.Sex.choices, blank=True)
    division_name = models.CharField("classe", max_length=50, blank=True)
    extra_time_percentage = models.PositiveSmallIntegerField(
        "temps majoré (%)", default=0, validators=[MaxValueValidator(100)]
    )
    enrolled_at = models.DateTimeField("inscrit le", auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the candidate starts the test: from then on the session can no longer be deleted.
    started_at = models.DateTimeField("test commencé le", null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = "candidat"
        constraints = [
            models.UniqueConstraint(fields=["session", "pupil"], name="candidate_once_per_session"),
            models.CheckConstraint(
                condition=models.Q(extra_time_percentage__lte=100), name="candidate_extra_time_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.display_last_name} {self.first_name}"

    @property
    def display_last_name(self):
        return self.preferred_last_name or self.last_name

    @property
    def first_names(self):
        return " ".join(name for name in (self.first_name, self.middle_name, self.third_name) if name)

    @property
    def birth_place(self):
        return self.birth_city
