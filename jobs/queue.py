"""The one place that sends a job to Celery."""

from celery import current_app
from django.db import transaction


def queue_on_commit(task_name, job_id):
    """Queue `task_name(job_id)` once the current transaction commits (at once outside one).

    Tasks are named, not imported, so that a service never imports the task module that wraps it.
    """
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(job_id))
