"""The audit log: who did what sensitive thing to the school's data, when, from where. Rows are only added."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    def of_school(self, school):
        return self.filter(school=school)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        SIECLE_IMPORT_STARTED = "siecle_import_started", "Import SIECLE lancé"
        SIECLE_IMPORT_DONE = "siecle_import_done", "Import SIECLE terminé"
        SIECLE_IMPORT_REFUSED = "siecle_import_refused", "Import SIECLE refusé"
        PIX_IMPORT_CONFIRMED = "pix_import_confirmed", "Import de résultats Pix confirmé"
        PIX_IMPORT_DONE = "pix_import_done", "Import de résultats Pix terminé"
        RESULTS_EXPORTED = "results_exported", "Export de résultats"
        CLASS_DOCUMENT = "class_document", "Document de classe téléchargé"
        CREDENTIALS_PRINTED = "credentials_printed", "Identifiants d'élèves téléchargés"
        PASSWORDS_RESET = "passwords_reset", "Mots de passe d'élèves réinitialisés"
        CERTIFICATION_EXPORTED = "certification_exported", "Export de certification"
        LSU_EXPORTED = "lsu_exported", "Fichier LSU / LSL téléchargé"
        API_PULL = "api_pull", "Résultats lus par l'API LSU / LSL"
        INVITATION_SENT = "invitation_sent", "Invitation envoyée"
        INVITATION_CANCELLED = "invitation_cancelled", "Invitation annulée"
        MEMBER_ROLE_CHANGED = "member_role_changed", "Rôle d'un membre changé"
        MEMBER_REMOVED = "member_removed", "Membre retiré"
        CAMPAIGN_CREATED = "campaign_created", "Campagne créée"
        CAMPAIGN_ARCHIVED = "campaign_archived", "Campagne archivée"
        SESSION_FINALISED = "session_finalised", "Session de certification finalisée"
        SESSION_DELETED = "session_deleted", "Session de certification supprimée"
        RESULTS_PUBLISHED = "results_published", "Résultats de certification publiés"
        PUPIL_DISABLED = "pupil_disabled", "Élève désactivé"
        PUPIL_DELETED = "pupil_deleted", "Élève supprimé"
        PUPIL_DATA_EXPORTED = "pupil_data_exported", "Données d'un élève exportées"
        ENT_LINKED = "ent_linked", "Compte ENT relié à un élève"
        ENT_UNLINKED = "ent_unlinked", "Compte ENT détaché d'un élève"
        DIVISION_DELETED = "division_deleted", "Classe supprimée"
        SCHOOL_YEAR_CLOSED = "school_year_closed", "Année scolaire clôturée"
        SIGN_IN_LOCKOUT = "sign_in_lockout", "Connexions bloquées après des échecs"

    school = models.ForeignKey(
        "orga.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    # The user may be deleted later, or be no user at all (an invigilator, an API client): the label stays.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor_label = models.CharField("auteur", max_length=200, blank=True)
    action = models.CharField("action", max_length=40, choices=Action.choices)
    description = models.CharField("description", max_length=300, blank=True)
    target_type = models.CharField("type de l'objet", max_length=60, blank=True)
    target_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    target_label = models.CharField("objet", max_length=200, blank=True)
    address = models.GenericIPAddressField("adresse", null=True, blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des actions sensibles"
        indexes = [
            models.Index(fields=["school", "-created_at", "-id"], name="audit_school_newest"),
            models.Index(fields=["school", "action", "-created_at"], name="audit_school_action_newest"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} — {self.actor_label}"
