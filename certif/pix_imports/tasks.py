"""The Pix Certif import's background task: a thin wrapper, the work is `services.process_session_import`."""

from celery import shared_task

from .services import process_session_import


@shared_task(name="certif.run_pix_session_import", bind=True, max_retries=12)
def run_pix_session_import(self, job_id):
    return process_session_import(job_id, task=self)
