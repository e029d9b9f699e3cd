"""The documents' background task: a thin wrapper, the work is `preparation.build_document`."""

from celery import shared_task

from .preparation import build_document


@shared_task(name="certif.build_session_document", bind=True, max_retries=12)
def build_session_document(self, job_id):
    return build_document(job_id, task=self)
