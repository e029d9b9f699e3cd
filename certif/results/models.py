"""A candidate's certification result: computed from the answers once the session is finalised, published by
the school admin."""

from django.db import models
from django.utils import timezone

from certif.sessions.models import Candidate
from crcn import certification


class CertificationResultQuerySet(models.QuerySet):
    def published(self):
        return self.filter(candidate__session__published_at__isnull=False)


class CertificationResult(models.Model):
    class Status(models.TextChoices):  # the engine's statuses and labels (crcn.certification)
        VALIDATED = certification.VALIDATED, certification.STATUS_LABELS[certification.VALIDATED]
        REJECTED = certification.REJECTED, certification.STATUS_LABELS[certification.REJECTED]
        CANCELLED = certification.CANCELLED, certification.STATUS_LABELS[certification.CANCELLED]

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="result")
    status = models.CharField("statut", max_length=10, choices=Status.choices)
    answered = models.PositiveSmallIntegerField("questions répondues", default=0)
    capacity = models.FloatField("capacité", default=0)
    pix_score = models.PositiveSmallIntegerField("score en pix", default=0)
    level = models.PositiveSmallIntegerField("niveau global", default=0)  # band of the 2024 certificate, 0-8
    level_label = models.CharField("libellé du niveau", max_length=20, blank=True)
    competence_levels = models.JSONField("niveaux par compétence", default=dict, blank=True)  # {"1.1": 3}
    comment_for_organisation = models.CharField("commentaire pour l'établissement", max_length=500, blank=True)
    # "P-" and 8 characters of Pix's alphabet: printed on the attestation, checked on the public page.
    verification_code = models.CharField("code de vérification", max_length=10, unique=True, null=True, blank=True)
    computed_at = models.DateTimeField("calculé le", default=timezone.now)
    # Imported from Pix Certif's results file (read-only): Pix's certification number, and a digest of the row
    # imported so that importing the same file again changes nothing.
    pix_certification_number = models.PositiveIntegerField(
        "n° de certification sur Pix", unique=True, null=True, blank=True
    )
    pix_fingerprint = models.CharField(max_length=64, blank=True)

    objects = CertificationResultQuerySet.as_manager()

    class Meta:
        ordering = ["candidate"]
        verbose_name = "résultat de certification"
        verbose_name_plural = "résultats de certification"

    def __str__(self):
        return f"Résultat de {self.candidate}"

    @property
    def is_imported_from_pix(self):
        return self.pix_certification_number is not None
