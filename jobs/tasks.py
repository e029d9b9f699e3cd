"""Periodic tasks on jobs (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from . import maintenance


@shared_task(name="jobs.fail_stale_jobs")
def fail_stale_jobs():
    return maintenance.fail_stale_jobs()


@shared_task(name="jobs.delete_abandoned_uploads")
def delete_abandoned_uploads():
    return maintenance.delete_abandoned_uploads()
