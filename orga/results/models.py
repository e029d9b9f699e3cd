"""Exports of a campaign's results, produced in the background."""

from django.conf import settings
from django.db import models

from jobs.models import BackgroundJob
from orga.campaigns.models import Campaign
from orga.pupils.models import Division
from orga.schools.models import School


def report_upload_path(instance, filename):
    return f"exports/{instance.school.uai}/{filename}"


class Report(BackgroundJob):
    """An export asked by a staff member, produced by a background task (safe to run twice)."""

    task_name = "orga.run_report"
    noun = "l'export"
    generic_error = (
        "Une erreur inattendue a empêché de produire le fichier. Réessayez plus tard ; si l'erreur persiste, "
        "signalez-la à l'administrateur de pixdeploy."
    )

    class Kind(models.TextChoices):
        RESULTS_CSV = "results_csv", "Résultats (CSV)"
        RESULTS_XLSX = "results_xlsx", "Résultats (Excel)"
        CLASS_PDF = "class_pdf", "Bilan de classe (PDF)"
        SCHOOL_LETTERS = "school_letters", "Lettres aux responsables légaux, toutes les classes (PDF)"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="reports")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=report_upload_path, blank=True, max_length=255)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "export"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.campaign}"
