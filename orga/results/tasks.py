"""The exports' background task: a thin wrapper, the work is `orga.results.exports.process_report`.

The worker registers it only if this module is imported at start-up (Celery's autodiscovery
reads `orga/tasks.py`): see the import there.
"""

from celery import shared_task

from .exports import process_report


@shared_task(name="orga.run_report")
def run_report(report_id):
    return process_report(report_id)
