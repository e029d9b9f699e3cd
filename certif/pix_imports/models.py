"""The import of a Pix Certif results file: orga's two-phase job (analysis → preview → confirmed import)."""

from django.db import models

from orga.pix_imports.models import PixImport


class PixSessionImport(PixImport):
    """Pix Certif's results of a session, brought into the school's certification results."""

    task_name = "certif.run_pix_session_import"
    upload_root = "imports-pix/sessions"

    class Meta(PixImport.Meta):
        verbose_name = "import de résultats de certification Pix"
        verbose_name_plural = "imports de résultats de certification Pix"
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(status__in=["queued", "running"]),
                name="pix_session_import_one_running_per_school",
            )
        ]
