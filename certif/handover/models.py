"""The results' hand-over: the livret scolaire's API clients, and a record of every hand-over (an API pull by LSU or
LSL, an export, attestations) so that the checklist can tell it happened."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orga.schools.models import School

CERTIFICATIONS_SCOPE = "organizations-certifications-result"


class ApiClient(models.Model):
    """An application allowed to pull results (LSU, LSL) with OAuth2 client credentials. Its secret is stored
    hashed: it is shown once, when the client is created."""

    name = models.CharField("nom", max_length=100)
    client_id = models.CharField("identifiant du client", max_length=64, unique=True)
    secret_hash = models.CharField("empreinte du secret", max_length=128)
    # Space-separated, as OAuth2 writes them.
    scopes = models.CharField("portées autorisées", max_length=255, default=CERTIFICATIONS_SCOPE)
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "client de l'API"
        verbose_name_plural = "clients de l'API"

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    @property
    def scope_list(self):
        return self.scopes.split()


class HandOver(models.Model):
    """One hand-over of a school's certification results: pulled through the API, exported, or printed."""

    class Kind(models.TextChoices):
        API_PULL = "api_pull", "Résultats récupérés par le livret scolaire (API)"
        EXPORT_CSV = "export_csv", "Export CSV pour le livret scolaire"
        EXPORT_XLSX = "export_xlsx", "Export Excel pour le livret scolaire"
        ATTESTATIONS = "attestations", "Attestations imprimées"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="certification_hand_overs")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    school_year = models.CharField("année scolaire", max_length=9, blank=True)
    division_name = models.CharField("classe", max_length=50, blank=True)
    client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="hand_overs", verbose_name="client"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    certifications = models.PositiveIntegerField("certifications transmises", default=0)
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "transmission des résultats"
        verbose_name_plural = "transmissions des résultats"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.school} — {self.created_at:%d/%m/%Y %H:%M}"
