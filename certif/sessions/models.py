"""National certification windows, the school's sessions, their invigilators and candidates."""

import datetime
import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from orga.pupils.models import Pupil
from orga.schools.models import School, current_school_year
from orga.schools.permissions import schools_visible_to

TEST_MINUTES = 105  # the certification test's length, before extra time
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


class Grade(models.TextChoices):
    """The pupils a session is for: each has its national window."""

    THIRD = "3e", "3e (collège)"
    TERMINALE = "terminale", "Terminale"
    CAP = "cap", "CAP"
    BTS_CPGE = "bts_cpge", "BTS et CPGE (2e année)"


def validate_school_year(value):
    match = SCHOOL_YEAR.match(value)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationError("L'année scolaire s'écrit « 2026-2027 » : deux années qui se suivent.")


class NationalWindowQuerySet(models.QuerySet):
    def warning_for(self, date, grade):
        """A French warning when `date` falls outside every window of `grade`, else "" (one query)."""
        windows = list(self.filter(grade=grade).order_by("starts_on"))
        if any(window.starts_on <= date <= window.ends_on for window in windows):
            return ""
        label = Grade(grade).label
        school_year = current_school_year(date)
        same_year = [w for w in windows if w.school_year == school_year]
        if not same_year:
            return (
                f"Aucune fenêtre nationale de certification n'est connue pour les {label} en "
                f"{school_year} : vérifiez la date du {date:%d/%m/%Y} auprès de votre académie."
            )
        spans = " ; ".join(w.span_label for w in same_year)
        return (
            f"Le {date:%d/%m/%Y} est hors de la fenêtre nationale de certification des {label} "
            f"({spans}) : la session peut être créée, mais vérifiez la date."
        )


class NationalWindow(models.Model):
    """When pupils of a grade sit the certification, nationally, in a school year (set by the ministry)."""

    school_year = models.CharField("année scolaire", max_length=9, validators=[validate_school_year])
    grade = models.CharField("public", max_length=10, choices=Grade.choices)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    is_indicative = models.BooleanField(
        "indicative", default=False, help_text="Cochée tant que le calendrier officiel n'est pas publié."
    )

    objects = NationalWindowQuerySet.as_manager()

    class Meta:
        ordering = ["school_year", "grade"]
        verbose_name = "fenêtre nationale de certification"
        verbose_name_plural = "fenêtres nationales de certification"
        constraints = [models.UniqueConstraint(fields=["school_year", "grade"], name="one_window_per_year_and_grade")]

    def __str__(self):
        return f"{self.get_grade_display()} {self.school_year} : {self.span_label}"

    @property
    def span_label(self):
        text = f"du {self.starts_on:%d/%m/%Y} au {self.ends_on:%d/%m/%Y}"
        return f"{text}, dates indicatives" if self.is_indicative else text

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin de la fenêtre précède son début."})


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(schools_visible_to(user, "school"))

    def planned(self):
        return self.filter(status=Session.Status.CREATED)

    def in_calendar_order(self):
        return self.order_by("date", "start_time", "number")


class Session(models.Model):
    """A certification session of the school: a room, a date, a time, invigilators and candidates."""

    class Status(models.TextChoices):
        CREATED = "created", "Créée"
        FINALISED = "finalized", "Finalisée"
        IN_PROCESS = "in_process", "En cours de traitement"
        PROCESSED = "processed", "Résultats publiés"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="certification_sessions")
    number = models.PositiveIntegerField("numéro de session", unique=True)
    access_code = models.CharField("code d'accès", max_length=6)
    invigilator_password = models.CharField("mot de passe du surveillant", max_length=12)
    grade = models.CharField("public", max_length=10, choices=Grade.choices)
    date = models.DateField("date")
    start_time = models.TimeField("heure de début")
    room = models.CharField("salle", max_length=100)
    address = models.CharField("adresse", max_length=255)
    description = models.CharField("description", max_length=1000, blank=True)
    capacity = models.PositiveSmallIntegerField(
        "nombre de places", default=30, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.CREATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalised_at = models.DateTimeField("finalisée le", null=True, blank=True)
    published_at = models.DateTimeField("résultats publiés le", null=True, blank=True)
    # Written by the school admin at finalisation.
    examiner_global_comment = models.CharField("commentaire global", max_length=500, blank=True)
    has_incident = models.BooleanField("un incident a eu lieu", default=False)
    has_joining_issue = models.BooleanField(
        "des candidats ont eu des difficultés à rejoindre la session", default=False
    )
    # A session held on Pix Certif whose results were imported (certif.pix_imports): Pix's session id. It is
    # published from the start and nothing in it is edited here.
    pix_session_id = models.PositiveIntegerField("n° de la session sur Pix", null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "number"]
        verbose_name = "session de certification"
        verbose_name_plural = "sessions de certification"
        constraints = [
            # Candidates type the code while the session is open; a finalised session frees its code.
            models.UniqueConstraint(
                fields=["access_code"], condition=models.Q(status="created"), name="access_code_unique_while_open"
            ),
            models.UniqueConstraint(
                fields=["school", "pix_session_id"],
                condition=models.Q(pix_session_id__isnull=False),
                name="one_session_per_pix_session",
            ),
        ]

    def __str__(self):
        return f"Session n° {self.number} — {self.date:%d/%m/%Y} {self.start_time:%H:%M}, {self.room}"

    @property
    def is_imported_from_pix(self):
        return self.pix_session_id is not None

    @property
    def is_open(self):
        """Created and not finalised yet: still editable, candidates may be enrolled or removed."""
        return self.status == self.Status.CREATED

    @property
    def starts_at(self):
        return datetime.datetime.combine(self.date, self.start_time)

    def ends_at(self, longest_extra_time=0):
        """The end of the longest test: 105 minutes plus the largest extra time among the candidates."""
        minutes = math.ceil(TEST_MINUTES * (100 + longest_extra_time) / 100)
        return self.starts_at + datetime.timedelta(minutes=minutes)

    def window_warning(self):
        return NationalWindow.objects.warning_for(self.date, self.grade)


class Invigilator(models.Model):
    """A person watching over a session: a name, and the staff account when they have one."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invigilators")
    name = models.CharField("nom", max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "surveillant"

    def __str__(self):
        return self.name


class AbortReason(models.TextChoices):
    CANDIDATE = "candidate", "Abandon : manque de temps ou départ prématuré"
    TECHNICAL = "technical", "Problème technique"


class Candidate(models.Model):
    """A pupil enrolled in a session. The identity is copied at enrolment: a later SIECLE import changes the
    pupil, never the candidate whose certificate bears these names."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="candidates")
    pupil = models.ForeignKey(
        Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="certification_candidacies"
    )
    ine = models.CharField("INE", max_length=11)
    last_name = models.CharField("nom de famille", max_length=100)
    preferred_last_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    middle_name = models.CharField("deuxième prénom", max_length=100, blank=True)
    third_name = models.CharField("troisième prénom", max_length=100, blank=True)
    birthdate = models.DateField("date de naissance")
    birth_city = models.CharField("commune de naissance", max_length=100, blank=True)
    birth_city_code = models.CharField("code commune de naissance", max_length=5, blank=True)
    birth_country_code = models.CharField("code pays de naissance", max_length=3, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Pupil.Sex.choices, blank=True)
    division_name = models.CharField("classe", max_length=50, blank=True)
    extra_time_percentage = models.PositiveSmallIntegerField(
        "temps majoré (%)", default=0, validators=[MaxValueValidator(100)]
    )
    enrolled_at = models.DateTimeField("inscrit le", auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the candidate starts the test: from then on the session can no longer be deleted.
    started_at = models.DateTimeField("test commencé le", null=True, blank=True)
    # Arrival on the day: the pupil confirms their identity, then the invigilator confirms their presence.
    identity_confirmed_at = models.DateTimeField("identité confirmée le", null=True, blank=True)
    presence_confirmed_at = models.DateTimeField("présence confirmée le", null=True, blank=True)
    # Finalisation: whether the invigilator saw the end screen, and why an unfinished test stopped.
    end_screen_seen = models.BooleanField("écran de fin du test vu", default=False)
    abort_reason = models.CharField("raison de l'abandon", max_length=10, choices=AbortReason.choices, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = "candidat"
        constraints = [
            models.UniqueConstraint(fields=["session", "pupil"], name="candidate_once_per_session"),
            models.CheckConstraint(
                condition=models.Q(extra_time_percentage__lte=100), name="candidate_extra_time_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.display_last_name} {self.first_name}"

    @property
    def display_last_name(self):
        return self.preferred_last_name or self.last_name

    @property
    def first_names(self):
        return " ".join(name for name in (self.first_name, self.middle_name, self.third_name) if name)

    @property
    def birth_place(self):
        return self.birth_city
