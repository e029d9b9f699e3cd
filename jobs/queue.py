"""The one place that sends a job to Celery."""

import logging

from celery import current_app
from django.apps import apps
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

logger = logging.getLogger(__name__)


def queue_on_commit(task_name, job_id):
    """Queue `task_name(job_id)` once the current transaction commits (at once outside one).

    Tasks are named, not imported, so that a service never imports the task module that wraps it. A broker that
    cannot be reached does not fail the page that queued the job (it has committed): the job is marked as not sent,
    with a French message and its retry button (bench/faults/redis_down.py).
    """
    transaction.on_commit(lambda: _send(task_name, job_id))


def _send(task_name, job_id):
    try:
        current_app.tasks[task_name].delay(job_id)
    except (BrokerUnreachable, OSError):
        logger.exception("Tâche %s(%s) non envoyée : serveur de tâches injoignable", task_name, job_id)
        for model in apps.get_models():
            if getattr(model, "task_name", None) == task_name:
                model.not_sent(job_id)
