"""The Pix campaign import's background task: a thin wrapper, the work is `services.process_campaign_import`."""

from celery import shared_task

from .services import process_campaign_import


@shared_task(name="orga.run_pix_campaign_import", bind=True, max_retries=12)
def run_pix_campaign_import(self, job_id):
    return process_campaign_import(job_id, task=self)
