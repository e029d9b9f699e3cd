"""Schools, their staff (memberships) and the invitations that bring staff in."""

import datetime
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .permissions import schools_visible_to
from .uai import normalize_uai, uai_error


def current_school_year(today=None):
    """ "2026-2027" from August 2026 to July 2027 (pre-rentrée is late August)."""
    today = today or timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    return f"{start}-{start + 1}"


def school_year_span(school_year):
    """The days of a school year, « 2026-2027 » → (1 August 2026, 31 July 2027)."""
    start = int(school_year[:4])
    return datetime.date(start, 8, 1), datetime.date(start + 1, 7, 31)


def validate_uai(value):
    message = uai_error(value)
    if message:
        raise ValidationError(message)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        # One membership per school and user: no school comes twice.
        return self.filter(schools_visible_to(user))


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
    # Off (as in Pix Orga): a teacher chooses the classes they follow. On: only those an admin assigned them.
    teachers_restricted_to_assigned_classes = models.BooleanField(
        "réserver à chaque enseignant les classes qu'un administrateur lui attribue", default=False
    )
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
    # The classes an admin assigned: the only ones the teacher follows when the school restricts teachers to them.
    assigned_divisions = models.ManyToManyField(
        "Division", blank=True, related_name="assigned_teachers", verbose_name="classes attribuées"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre"
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="membership_unique_per_school")]

    def __str__(self):
        return f"{self.user} — {self.school} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Invitation.Status.PENDING)


class Invitation(models.Model):
    """An e-mailed invitation to join a school's staff; valid 7 days from its last sending."""

    VALIDITY = timedelta(days=7)
    # Past its validity a pending invitation can still be re-sent from the members page for this long.
    KEPT_AFTER_EXPIRY = timedelta(days=30)

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        # Accepted by an account whose e-mail is not the invited one: a school admin confirms or refuses it.
        AWAITING = "awaiting", "À confirmer par un administrateur"
        REFUSED = "refused", "Refusée par un administrateur"
        CANCELLED = "cancelled", "Annulée"
        EXPIRED = "expired", "Expirée"

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
