"""Periodic tasks of the schools room (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from .invitations import expire_invitations as close_expired


@shared_task(name="orga.expire_invitations")
def expire_invitations():
    return close_expired()
