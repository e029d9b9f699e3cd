"""The body of every job's task: claim the row, do the work, end the job."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from .models import DATABASE_LOST

logger = logging.getLogger(__name__)


class JobError(Exception):
    """The work refuses its input: the job fails with this French message (and these fields)."""

    def __init__(self, message, **fields):
        super().__init__(message)
        self.message = message
        self.fields = fields


def run_job(model, pk, work, task=None):
    """Run `work(job)` for the job `pk` of `model`; it returns the fields to save on success.

    Safe to run twice. A delivery that finds the job running elsewhere asks Celery to look again later
    (`task.retry`): by then the job has ended, or its silent runner is taken over by `claim`.
    """
    job = model.claim(pk)
    if job is None:
        current = model.objects.filter(pk=pk).only("status").first()
        if current is None:
            return None
        if current.status == model.Status.RUNNING and task is not None and not task.request.is_eager:
            raise task.retry(countdown=settings.JOBS_HEARTBEAT_TIMEOUT)
        return current.status
    try:
        fields = work(job) or {}
    except JobError as error:
        logger.warning("%s %s refused: %s", model.__name__, pk, error.message)
        job.fail(error.message, **error.fields)
    except (OperationalError, InterfaceError):
        # The database went away under the work (a restart, a cut connection): nothing was committed. The job is
        # ended on a new connection as interrupted, its upload kept for « Relancer », rather than left running.
        logger.exception("%s %s lost its database connection", model.__name__, pk)
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        job.fail_stale(DATABASE_LOST)
    except Exception:
        logger.exception("%s %s failed", model.__name__, pk)
        job.fail(model.generic_error)
    else:
        job.succeed(**fields)
    return job.status
