"""An import of results exported by pix.fr: one row per uploaded file, a background job in two phases.

1. Analysis: the file is read and each row matched to a pupil; the job ends with a preview (`preview`) and the
   upload deleted (the preview holds what the import needs).
2. Import, once a school admin confirms the preview: the same row is queued again and stores the results in one
   transaction, with a report (`report`).

Certification's import of Pix Certif's files lives the same life (`certif.pix_imports`), hence the abstract model.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import BackgroundJob
from jobs.queue import queue_on_commit
from orga.schools.models import School


def pix_upload_path(instance, filename):
    return f"{instance.upload_root}/{instance.school.uai}/{timezone.now():%Y%m%d-%H%M%S}-{filename[-100:]}"


class PixImport(BackgroundJob):
    class Phase(models.TextChoices):
        ANALYSIS = "analysis", "Analyse du fichier"
        IMPORT = "import", "Enregistrement des résultats"

    upload_fields = ("file",)
    noun = "l'import"
    busy_message = "Un import de résultats Pix est déjà en cours pour cet établissement : attendez qu'il se termine."
    generic_error = (
        "Une erreur inattendue a interrompu l'import : aucun résultat n'a été enregistré. Réessayez plus tard."
    )

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=pix_upload_path, max_length=255, blank=True)
    original_name = models.CharField("fichier", max_length=255)
    phase = models.CharField("étape", max_length=10, choices=Phase.choices, default=Phase.ANALYSIS)
    preview = models.JSONField("aperçu", default=dict, blank=True)
    report = models.JSONField("bilan", default=dict, blank=True)
    # Why the file was refused (the job's `error` says why the import itself failed).
    errors = models.JSONField("erreurs", default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.status_label})"

    @property
    def is_preview_ready(self):
        return self.phase == self.Phase.ANALYSIS and self.status == self.Status.DONE

    @property
    def is_imported(self):
        return self.phase == self.Phase.IMPORT and self.status == self.Status.DONE

    @property
    def was_refused(self):
        return self.status == self.Status.FAILED and bool(self.errors)

    @property
    def status_label(self):
        if self.status == self.Status.FAILED:
            if self.was_refused:
                return "Fichier refusé"
            return "Import interrompu" if self.interrupted else "Échec de l'import"
        if self.phase == self.Phase.ANALYSIS:
            return {"queued": "Fichier reçu", "running": "Analyse en cours"}.get(self.status, "Aperçu prêt")
        return {"queued": "Import confirmé", "running": "Import en cours"}.get(self.status, "Import terminé")

    def has_uploads(self):
        # Once analysed, the preview holds everything the import needs: the upload is no longer required.
        return self.phase == self.Phase.IMPORT or super().has_uploads()

    def confirm(self, user):
        """Queue the import of an analysed file; False when it is not waiting for a confirmation (any more)."""
        confirmed = (
            type(self)
            .objects.filter(pk=self.pk, phase=self.Phase.ANALYSIS, status=self.Status.DONE)
            .update(
                phase=self.Phase.IMPORT,
                status=self.Status.QUEUED,
                queued_at=timezone.now(),
                progress=0,
                progress_label="",
                confirmed_by=user,
                confirmed_at=timezone.now(),
                finished_at=None,
            )
        )
        if confirmed:
            queue_on_commit(self.task_name, self.pk)
            self.refresh_from_db()
        return bool(confirmed)


class PixCampaignImport(PixImport):
    """The results export of a Pix Orga assessment campaign, brought into the school's campaigns."""

    task_name = "orga.run_pix_campaign_import"
    upload_root = "imports-pix/campagnes"

    class Meta(PixImport.Meta):
        verbose_name = "import de résultats de campagne Pix"
        verbose_name_plural = "imports de résultats de campagne Pix"
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(status__in=["queued", "running"]),
                name="pix_campaign_import_one_running_per_school",
            )
        ]
