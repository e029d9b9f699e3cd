"""What the school admin writes when finalising a session: issue reports per candidate, by Pix's categories."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from certif.course.models import InChallengeProblem
from certif.sessions.models import Candidate


class IssueCategory(models.TextChoices):
    """Pix's categories of a certification issue report (the C codes), and the problems on a question."""

    NAME_OR_BIRTHDATE = "C1", "C1 — Modification des prénom, nom ou date de naissance"
    EXTRA_TIME_PERCENTAGE = "C2", "C2 — Modification du temps majoré"
    SIGNATURE_ISSUE = "C4", "C4 — Signature manquante ou problème sur la feuille d'émargement"
    FRAUD = "C6", "C6 — Suspicion de fraude"
    NON_BLOCKING_TECHNICAL_ISSUE = "C7", "C7 — Incident technique non bloquant"
    NON_BLOCKING_CANDIDATE_ISSUE = "C8", "C8 — Incident lié au candidat non bloquant"
    IN_CHALLENGE = "IN_CHALLENGE", "Problème technique sur une question"


class IssueReport(models.Model):
    """A signalement written at finalisation on a candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="issue_reports")
    category = models.CharField("catégorie", max_length=12, choices=IssueCategory.choices)
    subcategory = models.CharField("sous-catégorie", max_length=4, choices=InChallengeProblem.choices, blank=True)
    question_number = models.PositiveSmallIntegerField(
        "numéro de la question",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    description = models.CharField("description", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["candidate", "created_at", "id"]
        verbose_name = "signalement"

    def __str__(self):
        return f"{self.category} — {self.candidate}"
