"""Positioning campaigns, pupils' participations, their answers and results per competence."""

import secrets

from django.conf import settings
from django.db import models

from crcn.presets import PRESETS_BY_CODE
from orga.pupils.models import Division, Pupil
from orga.schools.models import School
from orga.schools.permissions import manages, schools_visible_to

CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L, O
CODE_DIGITS = "23456789"

# A campaign list's status filter, as it appears in the address.
IN_PROGRESS, ARCHIVED, ALL = "en-cours", "archivees", "toutes"
LIST_STATUSES = [(IN_PROGRESS, "En cours"), (ARCHIVED, "Archivées"), (ALL, "Toutes")]
# What stands for Pix's target profile name when the competences were picked one by one.
CUSTOM_PROFILE = "Compétences choisies une à une"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(schools_visible_to(user, "school"))

    def active(self):
        return self.filter(archived_at__isnull=True)

    def matching(self, *, name="", owners=(), status=IN_PROGRESS):
        """What a campaign list's filters keep: the name contains `name`, owned by each of `owners` (so two
        different owners keep none), in progress, archived or all (`status`)."""
        campaigns = self.filter(name__icontains=name) if name else self
        for owner in owners:
            campaigns = campaigns.filter(owner=owner)
        if status == ARCHIVED:
            return campaigns.filter(archived_at__isnull=False)
        if status == ALL:
            return campaigns
        return campaigns.active()


class Campaign(models.Model):
    class Type(models.TextChoices):
        ASSESSMENT = "assessment", "Évaluation"
        PROFILES_COLLECTION = "profiles_collection", "Collecte de profils"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField("nom", max_length=150)
    type = models.CharField("type", max_length=20, choices=Type.choices, default=Type.ASSESSMENT)
    preset = models.CharField("parcours", max_length=50, blank=True)
    competences = models.ManyToManyField("crcn.Competence", related_name="+", verbose_name="compétences évaluées")
    divisions = models.ManyToManyField(Division, blank=True, related_name="campaigns", verbose_name="classes visées")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_campaigns", verbose_name="propriétaire"
    )
    code = models.CharField("code", max_length=9, unique=True)
    description = models.TextField("message aux élèves", blank=True)
    multiple_sendings = models.BooleanField("envois multiples", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # A campaign run on pix.fr whose results were imported (orga.pix_imports): Pix's id, code and target profile.
    # Nobody joins it here; its participations are read-only.
    pix_campaign_id = models.PositiveIntegerField("ID de la campagne sur Pix", null=True, blank=True)
    pix_code = models.CharField("code de la campagne sur Pix", max_length=20, blank=True)
    pix_target_profile = models.CharField("parcours sur Pix", max_length=255, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "campagne"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "pix_campaign_id"],
                condition=models.Q(pix_campaign_id__isnull=False),
                name="one_campaign_per_pix_campaign",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def is_imported_from_pix(self):
        return self.pix_campaign_id is not None

    @property
    def target_profile_name(self):
        """Pix's "Parcours": Pix's own for a campaign imported from Pix, the ready-made set's label, or
        CUSTOM_PROFILE."""
        if self.pix_target_profile:
            return self.pix_target_profile
        preset = PRESETS_BY_CODE.get(self.preset)
        return preset.label if preset else CUSTOM_PROFILE

    @staticmethod
    def new_code(rng=None):
        rng = rng or secrets.SystemRandom()
        return "".join(rng.choice(CODE_LETTERS) for _ in range(6)) + "".join(rng.choice(CODE_DIGITS) for _ in range(3))

    def can_be_edited_by(self, user, membership):
        return manages(user, membership, self.owner_id)


def new_seed():
    return secrets.token_hex(16)


class ParticipationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_improved=False)


class Participation(models.Model):
    class Status(models.TextChoices):
        STARTED = "started", "En cours"
        TO_SHARE = "to_share", "En attente d'envoi"
        SHARED = "shared", "Résultats reçus"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    # RESTRICT: a pupil with results is never deleted alone, but goes with the whole school.
    pupil = models.ForeignKey(Pupil, on_delete=models.RESTRICT, related_name="participations")
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.STARTED)
    seed = models.CharField(max_length=32, default=new_seed)
    current_challenge = models.ForeignKey(
        "crcn.Challenge", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A re-participation (multiple sendings) replaces the previous one, which is kept as history.
    is_improved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    pix = models.PositiveSmallIntegerField(default=0)
    # Answers given so far, written with the next challenge: the question's number without reading the answers.
    answer_count = models.PositiveSmallIntegerField("questions répondues", default=0)
    # Imported from a Pix Orga export (read-only): Pix's overall mastery ratio, and a digest of the row imported
    # so that importing the same file again changes nothing.
    imported_from_pix = models.BooleanField("importée de Pix", default=False)
    pix_mastery = models.FloatField("maîtrise sur Pix", null=True, blank=True)
    pix_fingerprint = models.CharField(max_length=64, blank=True)
    # Mastery of the campaign's target skills in percent, once finished: stored by `orga.campaigns.stats` when the
    # results are, so that the results table sorts on it in the database.
    mastery = models.PositiveSmallIntegerField("maîtrise (%)", null=True, blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "participation"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "pupil"], condition=models.Q(is_improved=False), name="one_current_participation"
            )
        ]

    def __str__(self):
        return f"{self.pupil} — {self.campaign}"


class Answer(models.Model):
    class Result(models.TextChoices):
        OK = "ok", "Réussie"
        KO = "ko", "Échouée"
        SKIPPED = "skipped", "Passée"

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="answers")
    challenge = models.ForeignKey("crcn.Challenge", on_delete=models.PROTECT, related_name="+")
    skill = models.ForeignKey("crcn.Skill", on_delete=models.PROTECT, related_name="+")
    value = models.TextField("réponse", blank=True)
    result = models.CharField("résultat", max_length=7, choices=Result.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "réponse"
        constraints = [models.UniqueConstraint(fields=["participation", "challenge"], name="answer_once_per_challenge")]

    def __str__(self):
        return f"{self.challenge_id}: {self.get_result_display()}"


class CompetenceResult(models.Model):
    """A participation's result in one competence, computed when the test ends."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="competence_results")
    competence = models.ForeignKey("crcn.Competence", on_delete=models.PROTECT, related_name="+")
    pix = models.PositiveSmallIntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=0)
    validated_skills = models.JSONField(default=list)
    tested_skills = models.PositiveSmallIntegerField(default=0)
    # Imported from Pix: the mastery ratio of the target profile's skills in this competence (validated_skills,
    # whose ids Pix does not export, stays empty).
    pix_mastery = models.FloatField("maîtrise sur Pix", null=True, blank=True)

    class Meta:
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "competence"], name="one_result_per_competence")
        ]

    def __str__(self):
        return f"{self.competence_id}: niveau {self.level}, {self.pix} pix"


class CampaignStats(models.Model):
    """A campaign's aggregates over the current participations of one class (`division`, None for the pupils
    without a class): what the Activité and Analyse tabs and the exports' summary show, summed over the classes
    the reader sees. Kept up to date by `orga.campaigns.stats` whenever a participation's results are stored;
    `data`'s shape is documented there."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stats")
    division = models.ForeignKey(Division, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "statistiques de campagne"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "division"], name="one_stats_per_campaign_class"),
            models.UniqueConstraint(
                fields=["campaign"], condition=models.Q(division__isnull=True), name="one_stats_per_campaign_no_class"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id} / {self.division_id}"


class CampaignTotal(models.Model):
    """The sum of a campaign's `CampaignStats` rows, kept with them, so that a reader who sees every class reads one
    row and not one per class. `parts` says which versions of the class rows it sums: {division id, or "none" for
    the pupils without a class: [the row's updated_at, its statuses]}; the readers use it only when it names
    exactly the class rows they find (`orga.campaigns.stats`)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="total")
    data = models.JSONField(default=dict)
    parts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "total de campagne"

    def __str__(self):
        return f"{self.campaign_id}"
