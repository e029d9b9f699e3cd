from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from certif.sessions.models import validate_school_year
from orga.models import School, current_school_year


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
