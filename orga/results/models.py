"""Exports of a campaign's results, produced in the background."""

from django.conf import settings
from django.db import models

from orga.campaigns.models import Campaign
from orga.pupils.models import Division
from orga.schools.models import School


def report_upload_path(instance, filename):
    return f"exports/{instance.school.uai}/{filename}"


class Report(models.Model):
    """An export asked by a staff member, produced by a background task (safe to run twice)."""

    class Kind(models.TextChoices):
        RESULTS_CSV = "results_csv", "Résultats (CSV)"
        RESULTS_XLSX = "results_xlsx", "Résultats (Excel)"
        CLASS_PDF = "class_pdf", "Bilan de classe (PDF)"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="reports")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_upload_path, blank=True, max_length=255)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "export"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.campaign}"

    @property
    def is_running(self):
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
