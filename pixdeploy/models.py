from django.conf import settings
from django.db import models

from orga.models import School


class ChecklistTick(models.Model):
    """A checklist item that no data can tell, ticked by hand by a school admin: who and when."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="checklist_ticks")
    item_key = models.CharField("élément", max_length=40)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="coché par"
    )
    ticked_at = models.DateTimeField("coché le", auto_now_add=True)

    class Meta:
        verbose_name = "élément coché de la check-list"
        constraints = [models.UniqueConstraint(fields=["school", "item_key"], name="one_tick_per_item")]

    def __str__(self):
        return f"{self.school} — {self.item_key}"


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
