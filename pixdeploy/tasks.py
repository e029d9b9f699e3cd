"""Operational tasks of the project package."""

import socket

from celery import shared_task
from django.utils import timezone

from crcn.models import Competence

from . import academie, digest, erasure


def worker_report():
    """What a worker says when asked: who it is, when it answered and what database it reads."""
    return {
        "hostname": socket.gethostname(),
        "answered_at": timezone.now().isoformat(),
        "competences": Competence.objects.count(),
    }


@shared_task(name="pixdeploy.ping", ignore_result=False)  # the one result read (/etat/)
def ping():
    """Proves that a worker consumes the queue (the service-status page and the tests use it)."""
    return worker_report()


@shared_task(name="pixdeploy.send_weekly_digests")
def send_weekly_digests():
    """The Monday digest (beat): safe to run twice in a week, the second run sends nothing more."""
    return digest.send_weekly_digests()


@shared_task(name="pixdeploy.build_academie_report", bind=True, max_retries=12)
def build_academie_report(self, report_id):
    """The académie view's table (a thin wrapper: the work is `academie.process_report`)."""
    return academie.process_report(report_id, task=self)


@shared_task(name="pixdeploy.purge_expired_pupils")
def purge_expired_pupils():
    """The nightly RGPD purge (beat): safe to run twice, an erased pupil is skipped (`erasure.purge_expired_pupils`)."""
    return erasure.purge_expired_pupils()
