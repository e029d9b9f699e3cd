"""The background job: one model for every import, export and document produced by a worker.

A job is a row that a Celery task fills: queued → running (progress and heartbeat) → done or failed.
Every change of state is a method here, so that imports and exports live the same life:

- `claim` is one conditional UPDATE: a second delivery of a live job does nothing, while a job whose runner
  died (no heartbeat for `heartbeat_timeout()`) is claimed again and redone from the start;
- `report_progress` moves the bar and beats the heart;
- `succeed` and `fail` end the job and delete its uploaded files (personal data);
- a job interrupted by a crash (`fail_stale`) keeps its upload for a while so that an admin can `retry` it,
  or `discard` it.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .queue import queue_on_commit

INTERRUPTED = (
    "Le traitement s'est interrompu : le serveur de tâches s'est arrêté pendant qu'il travaillait. "
    "Rien n'a été enregistré. Relancez-le ou abandonnez-le."
)
DATABASE_LOST = (
    "Le traitement s'est interrompu : la connexion à la base de données a été coupée pendant qu'il travaillait. "
    "Rien n'a été enregistré. Relancez-le ou abandonnez-le."
)
NOT_SENT = (
    "Le serveur de tâches était injoignable : le traitement n'a pas pu être lancé et rien n'a été enregistré. "
    "Relancez-le dans quelques minutes."
)
DISCARDED = "Abandonné à la demande d'un administrateur : rien n'a été enregistré."


def heartbeat_timeout():
    """A running job silent for longer has lost its runner: another delivery may take it over."""
    return timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)


def fail_after():
    """A running job silent for longer is marked failed by the periodic check (after a redelivery had its chance)."""
    return timedelta(seconds=settings.JOBS_FAIL_AFTER)


def queued_timeout():
    """A job queued for longer was never picked up (no worker, lost message): it is marked failed."""
    return timedelta(seconds=settings.JOBS_QUEUED_TIMEOUT)


class BackgroundJobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=BackgroundJob.ACTIVE)

    def silent_since(self, moment):
        """Running jobs whose last heartbeat is older than `moment`."""
        return self.filter(status=BackgroundJob.Status.RUNNING).filter(
            Q(heartbeat_at__lt=moment) | Q(heartbeat_at__isnull=True, started_at__lt=moment)
        )

    def stale(self, now=None):
        """Jobs the periodic check fails: running without heartbeat, or queued and never picked up."""
        now = now or timezone.now()
        never_picked = self.filter(status=BackgroundJob.Status.QUEUED, queued_at__lt=now - queued_timeout())
        return self.silent_since(now - fail_after()) | never_picked


class BackgroundJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    # How a job that makes a file (an export, a document) names its status; an import words its own.
    STATUS_LABELS = {"queued": "En attente", "running": "En cours", "done": "Prêt", "failed": "Échec"}

    # Set by each concrete job: the Celery task that runs it, and its FileFields holding uploads.
    task_name = ""
    upload_fields = ()
    # How the pages name the job ("l'import"), the agreement of its participles ("" or "e"), and the message when
    # a retry is refused because another job of its kind is running.
    noun = "le traitement"
    noun_agreement = ""
    busy_message = "Un traitement du même type est déjà en cours : attendez qu'il se termine."
    # What the person reads when the work fails unexpectedly (the details go to the logs).
    generic_error = (
        "Une erreur inattendue a interrompu le traitement : rien n'a été enregistré. Réessayez plus tard ; "
        "si l'erreur persiste, signalez-la à l'administrateur de pixdeploy."
    )

    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    progress_label = models.CharField("étape", max_length=200, blank=True)
    error = models.TextField("erreur", blank=True)
    # Failed because its runner stopped, not because of its input: it may be retried while its upload is kept.
    interrupted = models.BooleanField("interrompu", default=False)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField("mise en file", default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        abstract = True

    # --- what the pages ask

    @property
    def status_label(self):
        if self.status == self.Status.FAILED and self.interrupted:
            return "Interrompu"
        return self.STATUS_LABELS[self.status]

    @property
    def is_running(self):
        return self.status in self.ACTIVE

    @property
    def is_silent(self):
        """Queued or running, but nobody seems to be working on it: the admin may step in."""
        now = timezone.now()
        if self.status == self.Status.QUEUED:
            return self.queued_at < now - heartbeat_timeout()
        if self.status == self.Status.RUNNING:
            return (self.heartbeat_at or self.started_at or self.queued_at) < now - heartbeat_timeout()
        return False

    def has_uploads(self):
        return all(getattr(self, name) for name in self.upload_fields)

    @property
    def can_retry(self):
        if self.status == self.Status.FAILED:
            return self.interrupted and self.has_uploads()
        return self.is_silent

    @property
    def can_discard(self):
        return self.is_silent or (self.status == self.Status.FAILED and self.interrupted and self.has_uploads())

    # --- what the runner does

    @classmethod
    def claim(cls, pk):
        """Take the job for this run, or None if it is not ours to run (done, failed, or alive elsewhere)."""
        now = timezone.now()
        taken = (
            cls.objects.filter(pk=pk)
            .filter(Q(status=cls.Status.QUEUED) | Q(pk__in=cls.objects.silent_since(now - heartbeat_timeout())))
            .update(
                status=cls.Status.RUNNING,
                started_at=now,
                heartbeat_at=now,
                progress=0,
                progress_label="",
                error="",
                attempts=F("attempts") + 1,
            )
        )
        return cls.objects.get(pk=pk) if taken else None

    def report_progress(self, percent, label=None):
        """Move the progress bar (0-99) and beat the heart; the page polls these columns."""
        fields = {"progress": max(0, min(99, int(percent))), "heartbeat_at": timezone.now()}
        if label is not None:
            fields["progress_label"] = label[:200]
        type(self).objects.filter(pk=self.pk, status=self.Status.RUNNING).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)
        self.checkpoint()

    def checkpoint(self):
        """A point where a crash may happen. Tests slow it down (JOBS_CHECKPOINT_DELAY) to kill a worker here."""
        if settings.JOBS_CHECKPOINT_DELAY:
            time.sleep(settings.JOBS_CHECKPOINT_DELAY)

    def succeed(self, **fields):
        self._end(self.Status.DONE, error="", **fields)

    def fail(self, message, **fields):
        self._end(self.Status.FAILED, error=message, **fields)

    def _end(self, status, keep_uploads=False, **fields):
        for name, value in {"status": status, "finished_at": timezone.now(), "interrupted": False, **fields}.items():
            setattr(self, name, value)
        if status == self.Status.DONE:
            self.progress = 100
        if not keep_uploads:
            self.delete_uploads()
        self.save()

    def delete_uploads(self):
        for name in self.upload_fields:
            upload = getattr(self, name)
            if upload:
                upload.delete(save=False)  # personal data: never kept once the job has ended

    # --- what the periodic check and the admin do

    @classmethod
    def not_sent(cls, pk):
        """The broker refused the job's task: failed at once, its upload kept for a retry, rather than left queued."""
        cls.objects.filter(pk=pk, status=cls.Status.QUEUED).update(
            status=cls.Status.FAILED, error=NOT_SENT, interrupted=True, finished_at=timezone.now()
        )

    def fail_stale(self, message=INTERRUPTED):
        """Its runner died (or lost the database): failed, with the upload kept so that the admin can retry."""
        self._end(self.Status.FAILED, keep_uploads=True, error=message, interrupted=True)

    def retry(self):
        """Queue the job again, from the start (its work is all or nothing)."""
        with transaction.atomic():
            type(self).objects.filter(pk=self.pk).update(
                status=self.Status.QUEUED,
                queued_at=timezone.now(),
                progress=0,
                progress_label="",
                error="",
                interrupted=False,
                started_at=None,
                heartbeat_at=None,
                finished_at=None,
            )
            queue_on_commit(self.task_name, self.pk)
        self.refresh_from_db()

    def discard(self):
        self.fail(DISCARDED)

    def rescue(self, action):
        """An admin's "retry" or "discard" from the job's page: the French message to show, and if it was done."""
        noun = self.noun[0].upper() + self.noun[1:]
        if action == "retry":
            if not self.can_retry:
                return f"{noun} ne peut plus être relancé{self.noun_agreement}.", False
            try:
                self.retry()
            except IntegrityError:  # the one running job of its kind allowed at once (e.g. per school)
                return self.busy_message, False
            return f"{noun} est relancé{self.noun_agreement}.", True
        if not self.can_discard:
            return f"{noun} est déjà terminé{self.noun_agreement}.", False
        self.discard()
        return f"{noun} est abandonné{self.noun_agreement} et son fichier supprimé.", True
