"""The exports' background task: a thin wrapper, the work is `exports.process_report`."""

from celery import shared_task

from .exports import process_report


@shared_task(name="orga.run_report", bind=True, max_retries=12)
def run_report(self, report_id):
    return process_report(report_id, task=self)
