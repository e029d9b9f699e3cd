"""The candidate's certification test: the course taken, its questions and answers, and its alerts."""

import datetime
import math

from django.db import models
from django.utils import timezone

from certif.sessions.models import TEST_MINUTES, Candidate
from crcn.models import Challenge


def allowed_minutes(extra_time_percentage):
    """The test's length for a candidate: 105 minutes plus their extra time, rounded up to the minute."""
    return math.ceil(TEST_MINUTES * (100 + extra_time_percentage) / 100)


class InChallengeProblem(models.TextChoices):
    """Pix's subcategories of a problem on a question (E6 and E7 are no longer used): the invigilator picks one
    when accepting a problem reported during the test, and finalisation's issue reports use the same."""

    IMAGE_NOT_DISPLAYING = "E1", "E1 — L'image ne s'affiche pas"
    EMBED_NOT_WORKING = "E2", "E2 — Le simulateur ou l'application ne s'affiche pas"
    FILE_NOT_OPENING = "E3", "E3 — Le fichier à télécharger ne s'ouvre pas"
    WEBSITE_UNAVAILABLE = "E4", "E4 — Le site à visiter est indisponible ou en maintenance"
    WEBSITE_BLOCKED = "E5", "E5 — Le site est bloqué par le réseau de l'établissement"
    EXTRA_TIME_EXCEEDED = "E8", "E8 — Le temps majoré est dépassé"
    SOFTWARE_NOT_WORKING = "E9", "E9 — Le logiciel installé ne fonctionne pas"
    UNINTENTIONAL_FOCUS_OUT = "E10", "E10 — Le candidat a été contraint de sortir de la question"
    SKIP_ON_OOPS = "E11", "E11 — Une page « Oups » s'est affichée"
    ACCESSIBILITY_ISSUE = "E12", "E12 — Problème d'accessibilité de la question"


class CertificationCourseQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(ended_at__isnull=True)

    def ended(self):
        return self.filter(ended_at__isnull=False)


class CertificationCourse(models.Model):
    """The test a candidate takes: started once, answered one question at a time in one browser, ended by the
    last answer, by time over or by the invigilator."""

    class EndReason(models.TextChoices):
        COMPLETED = "completed", "Test terminé par le candidat"
        TIME_OVER = "time_over", "Temps écoulé"
        ENDED_BY_INVIGILATOR = "ended_by_invigilator", "Test terminé par le surveillant"
        ENDED_AT_FINALISATION = "ended_at_finalisation", "Test clos à la finalisation"

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="course")
    started_at = models.DateTimeField("commencé le", default=timezone.now)
    deadline = models.DateTimeField("fin du temps imparti")
    ended_at = models.DateTimeField("terminé le", null=True, blank=True)
    end_reason = models.CharField("fin", max_length=24, choices=EndReason.choices, blank=True)
    # The one browser that may answer: a random key kept in its Django session. Another browser asks the
    # invigilator to authorise a resume; the authorisation empties the key and the next browser takes it.
    browser_key = models.CharField(max_length=64, blank=True)
    resume_requested_at = models.DateTimeField("reprise demandée le", null=True, blank=True)
    seed = models.CharField(max_length=64)
    answered_count = models.PositiveSmallIntegerField("questions répondues", default=0)
    last_answered_at = models.DateTimeField("dernière réponse le", null=True, blank=True)

    objects = CertificationCourseQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "test de certification"
        verbose_name_plural = "tests de certification"

    def __str__(self):
        return f"Test de {self.candidate}"

    @property
    def is_ended(self):
        return self.ended_at is not None

    def seconds_left(self, now=None):
        if self.is_ended:
            return 0
        left = (self.deadline - (now or timezone.now())).total_seconds()
        return max(0, math.ceil(left))

    @staticmethod
    def deadline_for(started_at, extra_time_percentage):
        return started_at + datetime.timedelta(minutes=allowed_minutes(extra_time_percentage))


class CertificationQuestion(models.Model):
    """A question served to a candidate, numbered from 1, and its answer once given (one row per question)."""

    class Result(models.TextChoices):
        UNANSWERED = "", "Sans réponse"
        OK = "ok", "Juste"
        KO = "ko", "Fausse"
        SKIPPED = "skipped", "Passée"

    course = models.ForeignKey(CertificationCourse, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField("numéro")
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="+", verbose_name="épreuve")
    served_at = models.DateTimeField("posée le", default=timezone.now)
    answer_value = models.TextField("réponse", blank=True)
    result = models.CharField("résultat", max_length=8, choices=Result.choices, blank=True)
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    # A problem on the question accepted by the invigilator: the question does not count and another is served.
    neutralised = models.BooleanField("neutralisée", default=False)

    class Meta:
        ordering = ["course", "number"]
        verbose_name = "question de certification"
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="certification_question_number_once"),
            models.UniqueConstraint(fields=["course", "challenge"], name="certification_challenge_once"),
        ]

    def __str__(self):
        return f"Question {self.number} de {self.course.candidate}"

    @property
    def is_answered(self):
        return self.answered_at is not None


class CertificationAlertQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(handled_at__isnull=True)


class CertificationAlert(models.Model):
    """Something the invigilator must look at: a resume asked from another browser, or a problem reported by
    the candidate on a question."""

    class Kind(models.TextChoices):
        RESUME = "resume", "Demande de reprise"
        CHALLENGE_PROBLEM = "challenge_problem", "Problème signalé sur une question"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Acceptée"
        REFUSED = "refused", "Refusée"

    course = models.ForeignKey(CertificationCourse, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    question = models.ForeignKey(
        CertificationQuestion, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    message = models.CharField("message du candidat", max_length=500, blank=True)
    created_at = models.DateTimeField("signalée le", default=timezone.now)
    handled_at = models.DateTimeField("traitée le", null=True, blank=True)
    outcome = models.CharField("décision", max_length=10, choices=Outcome.choices, blank=True)
    # For a problem on a question: the in-challenge subcategory the invigilator chose (E1 … E12).
    category = models.CharField("catégorie", max_length=4, blank=True)

    objects = CertificationAlertQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "alerte"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.course.candidate}"
