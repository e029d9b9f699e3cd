from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from certif.sessions.models import validate_school_year
from jobs.models import BackgroundJob
from orga.models import Pupil, School, current_school_year


class ChecklistTick(models.Model):
    """A checklist item that no data can tell, ticked by hand by a school admin: who and when, for one school year
    (presenting Pix to the team is done again each year)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="checklist_ticks")
    school_year = models.CharField("année scolaire", max_length=9, default=current_school_year)
    item_key = models.CharField("élément", max_length=40)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="coché par"
    )
    ticked_at = models.DateTimeField("coché le", auto_now_add=True)

    class Meta:
        verbose_name = "élément coché de la check-list"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "item_key"], name="one_tick_per_item_and_year")
        ]

    def __str__(self):
        return f"{self.school} — {self.item_key}"


class SchoolCalendar(models.Model):
    """The official school calendar of a school year in a holidays zone, corrected by a superuser in the
    administration. A holiday starts on its first day off (a Saturday) and ends on the day classes resume."""

    class Zone(models.TextChoices):
        A = "A", "Zone A"
        B = "B", "Zone B"
        C = "C", "Zone C"

    school_year = models.CharField("année scolaire", max_length=9, validators=[validate_school_year])
    zone = models.CharField("zone", max_length=1, choices=Zone.choices)
    pre_rentree = models.DateField("pré-rentrée des enseignants")
    toussaint_starts = models.DateField("début des vacances de la Toussaint")
    toussaint_ends = models.DateField("reprise après la Toussaint")
    christmas_starts = models.DateField("début des vacances de Noël")
    christmas_ends = models.DateField("reprise après Noël")
    winter_starts = models.DateField("début des vacances d'hiver")
    winter_ends = models.DateField("reprise après les vacances d'hiver")

    class Meta:
        ordering = ["school_year", "zone"]
        verbose_name = "calendrier scolaire"
        verbose_name_plural = "calendriers scolaires"
        constraints = [models.UniqueConstraint(fields=["school_year", "zone"], name="one_calendar_per_year_and_zone")]

    def __str__(self):
        return f"{self.school_year}, {self.get_zone_display()}"

    def clean(self):
        dates = [
            self.pre_rentree,
            self.toussaint_starts,
            self.toussaint_ends,
            self.christmas_starts,
            self.christmas_ends,
            self.winter_starts,
            self.winter_ends,
        ]
        if all(dates) and dates != sorted(dates):
            raise ValidationError("Les dates doivent se suivre : pré-rentrée, Toussaint, Noël, vacances d'hiver.")


class DigestSent(models.Model):
    """One weekly digest sent to a user for an ISO week (« 2026-W49 »): a rerun of the same week sends nothing more."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField("semaine ISO", max_length=8)
    sent_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "récapitulatif hebdomadaire envoyé"
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_user_and_week")]

    def __str__(self):
        return f"{self.user} — {self.week}"


class SchoolYearClosure(models.Model):
    """A school year closed by a school admin: its campaigns were archived (their results stay readable) and its
    figures kept as they stood, before the next year's pupils list is imported."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="year_closures")
    school_year = models.CharField("année scolaire", max_length=9)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="clôturée par"
    )
    closed_at = models.DateTimeField("clôturée le", auto_now_add=True)
    # The year's figures at closing (pupils, campaigns, results, certification): see school_years.year_summary.
    summary = models.JSONField("bilan", default=dict)

    class Meta:
        ordering = ["-school_year"]
        verbose_name = "année scolaire clôturée"
        verbose_name_plural = "années scolaires clôturées"
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="one_closure_per_school_year")]

    def __str__(self):
        return f"{self.school} — {self.school_year}"


class AcademieReferent(models.Model):
    """A user who follows the schools of an académie in the académie view (a user may follow several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="academie_referent_roles",
        verbose_name="utilisateur",
    )
    # As the schools write it (School.academie): the view shows the schools whose académie is exactly this one.
    academie = models.CharField("académie", max_length=100)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        ordering = ["academie", "user__username"]
        verbose_name = "référent d'académie"
        verbose_name_plural = "référents d'académie"
        constraints = [models.UniqueConstraint(fields=["user", "academie"], name="one_referent_role_per_academie")]

    def __str__(self):
        return f"{self.user} — {self.academie}"


class AcademieReport(BackgroundJob):
    """The académie view's table, computed by a worker (a checklist per school costs many queries): one row per
    school of `academie`, or of every académie when it is blank (asked by a superuser). Safe to run twice: its rows
    are replaced whole."""

    task_name = "pixdeploy.build_academie_report"
    noun = "le calcul"
    busy_message = "Le tableau de cette académie est déjà en cours de calcul : attendez qu'il se termine."
    generic_error = (
        "Une erreur inattendue a interrompu le calcul du tableau : rien n'a été enregistré. Relancez-le ; si l'erreur "
        "persiste, signalez-la à l'administrateur de pixdeploy."
    )

    academie = models.CharField("académie", max_length=100, blank=True)  # its key (zones.academie_key), "" every one
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_year = models.CharField("année scolaire", max_length=9, blank=True)
    school_count = models.PositiveIntegerField("établissements", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tableau d'académie"
        verbose_name_plural = "tableaux d'académie"
        constraints = [
            # « Recalculer » clicked twice reuses the job under way (see academie.start_report).
            models.UniqueConstraint(
                fields=["academie"],
                condition=models.Q(status__in=["queued", "running"]),
                name="academie_report_one_running_per_academie",
            )
        ]

    def __str__(self):
        return f"{self.academie or 'Toutes les académies'} ({self.status_label})"


def _percent(part, whole):
    """A share in whole percents, never above 100 (a pupil who left may still have taken part)."""
    return min(100, round(100 * part / whole)) if whole else 0


class AcademieReportRow(models.Model):
    """One school's figures in an académie report, copied when it was computed (the school may change since)."""

    report = models.ForeignKey(AcademieReport, on_delete=models.CASCADE, related_name="rows")
    school = models.ForeignKey(School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField("établissement", max_length=200)
    uai = models.CharField("UAI", max_length=8)
    type = models.CharField("type", max_length=20, choices=School.Type.choices)
    academie = models.CharField("académie", max_length=100, blank=True)
    academie_key = models.CharField(max_length=100, blank=True)  # zones.academie_key: how the view matches it
    # The checklist: required items done of all, steps done of all, steps overdue.
    items_done = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    checklist_percent = models.PositiveSmallIntegerField(default=0)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=0)
    overdue_steps = models.PositiveSmallIntegerField(default=0)
    # Participation this school year, among the active pupils.
    pupils = models.PositiveIntegerField("élèves", default=0)
    started = models.PositiveIntegerField(default=0)
    started_percent = models.PositiveSmallIntegerField(default=0)
    shared = models.PositiveIntegerField(default=0)
    shared_percent = models.PositiveSmallIntegerField(default=0)
    # Certification this school year: candidates enrolled, and in collège the 3e pupils enrolled of all.
    candidates = models.PositiveIntegerField(default=0)
    grade_pupils = models.PositiveIntegerField(null=True, blank=True)
    grade_enrolled = models.PositiveIntegerField(null=True, blank=True)
    published_sessions = models.PositiveIntegerField(default=0)
    handed_over = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "uai"]
        verbose_name = "ligne d'un tableau d'académie"

    def __str__(self):
        return f"{self.name} ({self.uai})"

    def fill_percents(self):
        self.checklist_percent = _percent(self.items_done, self.items)
        self.started_percent = _percent(self.started, self.pupils)
        self.shared_percent = _percent(self.shared, self.pupils)
        return self


class ErasureRecord(models.Model):
    """A pupil's data erased (RGPD): who asked, when and in which school — no personal data. The pupil's row stays,
    anonymised, so that the school's anonymous counts still add up (pixdeploy.erasure)."""

    class Reason(models.TextChoices):
        REQUEST = "request", "Effacement demandé à un administrateur de l'établissement"
        RETENTION = "retention", "Durée de conservation écoulée (purge automatique)"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="erasures", verbose_name="établissement")
    # The anonymised row (no name, no INE left in it).
    pupil = models.ForeignKey(Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField("motif", max_length=10, choices=Reason.choices)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="par"
    )
    erased_at = models.DateTimeField("le", auto_now_add=True)
    # What was kept anonymous, as counts: participations, and certifications whose certified identity was kept.
    participations = models.PositiveIntegerField("participations gardées anonymes", default=0)
    certifications_kept = models.PositiveIntegerField("certifications publiées gardées", default=0)

    class Meta:
        ordering = ["-erased_at", "-id"]
        verbose_name = "effacement de données d'élève"
        verbose_name_plural = "effacements de données d'élèves"

    def __str__(self):
        return f"{self.get_reason_display()} — {self.school} — {self.erased_at:%d/%m/%Y}"
