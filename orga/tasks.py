from celery import shared_task

from .importing import process_import


@shared_task(name="orga.run_siecle_import")
def run_siecle_import(import_id):
    return process_import(import_id)


# Celery's autodiscovery reads `tasks` modules only: make the export task known to workers.
from .export_tasks import run_report  # noqa: E402, F401
