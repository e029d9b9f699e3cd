"""Classes (divisions), pupils and the SIECLE imports that bring them in."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import BackgroundJob
from orga.schools.models import School
from orga.schools.permissions import classes_followed_by


class DivisionQuerySet(models.QuerySet):
    def followed_by(self, user, membership):
        """The classes whose pupils the user follows: all for a school admin, the chosen ones for a teacher."""
        return self.filter(classes_followed_by(user, membership))


class Division(models.Model):
    """A class (division) of the school, as named in SIECLE (CODE_STRUCTURE of type D)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="divisions")
    name = models.CharField("classe", max_length=50)

    objects = DivisionQuerySet.as_manager()

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
    birth_country_code = models.CharField("code pays de naissance", max_length=3, blank=True)  # SIECLE's: 100
    birth_department_code = models.CharField("code département de naissance", max_length=3, blank=True)
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
        # The pupils list's page of 50 read in its order from the school's own rows: without it, among 300
        # schools, PostgreSQL sorted the school's pupils and hashed every school's classes (docs/benchmarks.md).
        indexes = [models.Index(fields=["school", "last_name", "first_name", "id"], name="pupil_school_name_idx")]

    def __str__(self):
        return f"{self.display_last_name} {self.first_name}"

    @property
    def display_last_name(self):
        return self.preferred_last_name or self.last_name


def import_upload_path(instance, filename):
    return f"imports/{instance.school.uai}/{timezone.now():%Y%m%d-%H%M%S}-{filename}"


class SiecleImport(BackgroundJob):
    """One upload of a pupils' file and what became of it (a row per import: the school's history)."""

    task_name = "orga.run_siecle_import"
    upload_fields = ("file",)
    upload_root = "imports"
    noun = "l'import"
    busy_message = "Un import est déjà en cours pour cet établissement : attendez qu'il se termine."
    generic_error = "Une erreur inattendue a interrompu l'import : aucun élève n'a été modifié. Réessayez plus tard."

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The uploaded file is deleted once processed (personal data); the row and its report stay.
    file = models.FileField(upload_to=import_upload_path, max_length=255, blank=True)
    original_name = models.CharField("fichier", max_length=255)
    report = models.JSONField("bilan", default=dict, blank=True)
    # Why the file was refused, pupil by pupil (the job's `error` says why the import itself failed).
    errors = models.JSONField("erreurs", default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import d'élèves"
        verbose_name_plural = "imports d'élèves"
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(status__in=["queued", "running"]),
                name="siecle_import_one_running_per_school",
            )
        ]

    def __str__(self):
        return f"{self.original_name} ({self.status_label})"

    @property
    def succeeded(self):
        return self.status == self.Status.DONE

    @property
    def was_refused(self):
        return self.status == self.Status.FAILED and bool(self.errors)

    @property
    def error_count(self):
        """How many errors refused the file: `errors` lists the first ones only (see siecle.MAX_MESSAGES)."""
        return (self.report or {}).get("error_count") or len(self.errors)

    @property
    def status_label(self):
        if self.status == self.Status.QUEUED:
            return "Fichier reçu"
        if self.status == self.Status.RUNNING:
            return "Import en cours"
        if self.succeeded:
            return "Import terminé"
        if self.was_refused:
            return "Fichier refusé"
        return "Import interrompu" if self.interrupted else "Échec de l'import"
