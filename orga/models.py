import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .uai import normalize_uai, uai_error


def current_school_year(today=None):
    """ "2026-2027" from August 2026 to July 2027 (pre-rentrée is late August)."""
    today = today or timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    return f"{start}-{start + 1}"


def validate_uai(value):
    message = uai_error(value)
    if message:
        raise ValidationError(message)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()


class School(models.Model):
    class Type(models.TextChoices):
        COLLEGE = "college", "Collège"
        LYCEE = "lycee", "Lycée général et technologique"
        LYCEE_PRO = "lycee_pro", "Lycée professionnel"
        LYCEE_AGRICOLE = "lycee_agricole", "Lycée agricole"

    uai = models.CharField("UAI", max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=Type.choices, default=Type.COLLEGE)
    academie = models.CharField("académie", max_length=100, blank=True)
    school_year = models.CharField("année scolaire", max_length=9, default=current_school_year)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "établissement"

    def __str__(self):
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.uai = normalize_uai(self.uai)
        super().save(*args, **kwargs)

    @property
    def is_agricultural(self):
        return self.type == self.Type.LYCEE_AGRICOLE

    @property
    def certification_grade_label(self):
        return "3e" if self.type == self.Type.COLLEGE else "Terminales"

    @property
    def results_registry_label(self):
        """The register the certification results go to: LSU in collège, LSL in lycée."""
        return "LSU" if self.type == self.Type.COLLEGE else "LSL"


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Administrateur"
        MEMBER = "member", "Membre"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField("actif", default=True)
    # The classes a teacher teaches: they follow these pupils' results across campaigns.
    divisions = models.ManyToManyField("Division", blank=True, related_name="teachers", verbose_name="classes suivies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre"
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="membership_unique_per_school")]

    def __str__(self):
        return f"{self.user} — {self.school} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class Division(models.Model):
    """A class (division) of the school, as named in SIECLE (CODE_STRUCTURE of type D)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="divisions")
    name = models.CharField("classe", max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = "classe"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="division_unique_per_school")]

    def __str__(self):
        return self.name


class Pupil(models.Model):
    """A pupil of a school, from the SIECLE import; never deleted, disabled when gone."""

    class Sex(models.TextChoices):
        MALE = "M", "Masculin"
        FEMALE = "F", "Féminin"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    division = models.ForeignKey(
        Division, on_delete=models.SET_NULL, related_name="pupils", null=True, blank=True, verbose_name="classe"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="pupil"
    )
    ine = models.CharField("INE", max_length=11)
    last_name = models.CharField("nom de famille", max_length=100)
    preferred_last_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    middle_name = models.CharField("deuxième prénom", max_length=100, blank=True)
    third_name = models.CharField("troisième prénom", max_length=100, blank=True)
    birthdate = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birth_country_code = models.CharField("code pays de naissance", max_length=3, blank=True)
    birth_city_code = models.CharField("code commune de naissance", max_length=5, blank=True)
    birth_city = models.CharField("commune de naissance", max_length=100, blank=True)
    mef_code = models.CharField("code MEF", max_length=11, blank=True)
    status = models.CharField("statut", max_length=2, blank=True)
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "élève"
        constraints = [models.UniqueConstraint(fields=["school", "ine"], name="pupil_unique_ine_per_school")]

    def __str__(self):
        return f"{self.display_last_name} {self.first_name}"

    @property
    def display_last_name(self):
        return self.preferred_last_name or self.last_name


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Invitation.Status.PENDING)


class Invitation(models.Model):
    """An e-mailed invitation to join a school's staff; valid 7 days from its last sending."""

    VALIDITY = timedelta(days=7)

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        CANCELLED = "cancelled", "Annulée"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "invitation"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                "school",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email_and_school",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.school}"

    @property
    def expires_at(self):
        return self.sent_at + self.VALIDITY

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at


def import_upload_path(instance, filename):
    return f"imports/{instance.school.uai}/{timezone.now():%Y%m%d-%H%M%S}-{filename}"


class SiecleImportQuerySet(models.QuerySet):
    def running(self):
        return self.filter(status__in=SiecleImport.RUNNING)


class SiecleImport(models.Model):
    """One upload of a pupils' file and what became of it (a row per import: the school's history)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Fichier reçu"
        VALIDATED = "validated", "Fichier validé"
        VALIDATION_ERROR = "validation_error", "Fichier refusé"
        IMPORTED = "imported", "Import terminé"
        IMPORT_ERROR = "import_error", "Échec de l'import"

    RUNNING = (Status.UPLOADED, Status.VALIDATED)
    FINISHED = (Status.VALIDATION_ERROR, Status.IMPORTED, Status.IMPORT_ERROR)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The uploaded file is deleted once processed (personal data); the row and its report stay.
    file = models.FileField(upload_to=import_upload_path, max_length=255, blank=True)
    original_name = models.CharField("fichier", max_length=255)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    report = models.JSONField("bilan", default=dict, blank=True)
    errors = models.JSONField("erreurs", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SiecleImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import d'élèves"
        verbose_name_plural = "imports d'élèves"
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(status__in=["uploaded", "validated"]),
                name="siecle_import_one_running_per_school",
            )
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def succeeded(self):
        return self.status == self.Status.IMPORTED


CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L, O
CODE_DIGITS = "23456789"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(school__memberships__user=user, school__memberships__is_active=True)

    def active(self):
        return self.filter(archived_at__isnull=True)


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

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "campagne"

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_archived(self):
        return self.archived_at is not None

    @staticmethod
    def new_code(rng=None):
        rng = rng or secrets.SystemRandom()
        return "".join(rng.choice(CODE_LETTERS) for _ in range(6)) + "".join(rng.choice(CODE_DIGITS) for _ in range(3))

    def can_be_edited_by(self, user, membership):
        return user.is_superuser or self.owner_id == user.id or (membership is not None and membership.is_admin)


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

    class Meta:
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "competence"], name="one_result_per_competence")
        ]

    def __str__(self):
        return f"{self.competence_id}: niveau {self.level}, {self.pix} pix"


class ClassObjective(models.Model):
    """The year's goal of a class, e.g. 5 competences at level 1 or more (about 2 hours on Pix)."""

    division = models.OneToOneField(Division, on_delete=models.CASCADE, related_name="objective")
    competences_target = models.PositiveSmallIntegerField("compétences à travailler dans l'année", default=5)
    level_target = models.PositiveSmallIntegerField("niveau visé", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "objectif de classe"

    def __str__(self):
        return f"{self.division}: {self.competences_target} compétences au niveau {self.level_target}"


def resource_upload_path(instance, filename):
    return f"ressources/{instance.school.uai}/{filename}"


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(school__memberships__user=user, school__memberships__is_active=True)


class Resource(models.Model):
    """A teaching resource shared by a school's staff, suggested beside the tutorials for matching needs."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)
    url = models.URLField("lien", max_length=500, blank=True)
    file = models.FileField("fichier", upload_to=resource_upload_path, blank=True, max_length=255)
    competences = models.ManyToManyField("crcn.Competence", related_name="+", verbose_name="compétences visées")
    level_min = models.PositiveSmallIntegerField("du niveau", default=1)
    level_max = models.PositiveSmallIntegerField("au niveau", default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ressource pédagogique"

    def __str__(self):
        return self.title


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
