"""The SIECLE import's background task: a thin wrapper, the work is `importing.process_import`."""

from celery import shared_task

from .importing import process_import


@shared_task(name="orga.run_siecle_import", bind=True, max_retries=12)
def run_siecle_import(self, import_id):
    return process_import(import_id, task=self)
