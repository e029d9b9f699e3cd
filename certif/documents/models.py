"""A session's document produced in the background: the convocations or the attendance sheet of a large session."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver

from certif.sessions.models import Session
from jobs.models import BackgroundJob


def document_upload_path(instance, filename):
    return f"certif/documents/{instance.session.school.uai}/{filename}"


class SessionDocument(BackgroundJob):
    """A PDF of a session built by a worker (see sheets.py for which ones). Safe to run twice."""

    task_name = "certif.build_session_document"
    noun = "la préparation du document"
    noun_agreement = "e"
    busy_message = "Ce document est déjà en préparation pour cette session : attendez qu'il soit prêt."
    generic_error = (
        "Une erreur inattendue a empêché de préparer le document. Relancez-le ; si l'erreur persiste, "
        "signalez-la à l'administrateur de pixdeploy."
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    # The slug of sheets.DOCUMENTS ("convocations", "emargement").
    kind = models.CharField("document", max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_count = models.PositiveIntegerField("candidats", default=0)
    file = models.FileField(upload_to=document_upload_path, blank=True, max_length=255)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "document de session"
        verbose_name_plural = "documents de session"
        constraints = [
            # A second click while it is being prepared reuses the job (see sheets.start_document).
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=models.Q(status__in=["queued", "running"]),
                name="session_document_one_running_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.kind} — session {self.session_id} ({self.status_label})"


@receiver(post_delete, sender=SessionDocument)
def _delete_the_file(sender, instance, **kwargs):
    """Personal data: the PDF goes with its row (replaced by a newer one, or its session deleted)."""
    if instance.file:
        instance.file.delete(save=False)
