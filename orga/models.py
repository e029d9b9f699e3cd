import datetime

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
        Division, on_delete=models.PROTECT, related_name="pupils", null=True, blank=True, verbose_name="classe"
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

    @property
    def age(self):
        today = datetime.date.today()
        born = self.birthdate
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
