"""What Celery beat runs on jobs: fail the stale ones, delete the uploads nobody will retry."""

import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import INTERRUPTED, BackgroundJob


def job_models():
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def fail_stale_jobs(now=None):
    """Mark failed the jobs nobody works on any more; their uploads stay for a retry. Returns how many."""
    now = now or timezone.now()
    failed = 0
    for model in job_models():
        # One conditional UPDATE: a job that beat in the meantime is no longer matched.
        failed += model.objects.stale(now).update(
            status=BackgroundJob.Status.FAILED, error=INTERRUPTED, interrupted=True, finished_at=now
        )
    return failed


def delete_abandoned_uploads(now=None):
    """Delete uploads of interrupted jobs nobody retried in time, and upload files that no job names."""
    now = now or timezone.now()
    kept_until = now - timedelta(seconds=settings.JOBS_UPLOAD_RETENTION)
    deleted = 0
    for model in job_models():
        for job in model.objects.filter(status=BackgroundJob.Status.FAILED, finished_at__lt=kept_until):
            if any(getattr(job, name) for name in model.upload_fields):
                job.delete_uploads()
                job.interrupted = False
                job.save(update_fields=[*model.upload_fields, "interrupted"])
                deleted += 1
        deleted += _delete_orphan_files(model, kept_until)
    return deleted


def _delete_orphan_files(model, older_than):
    """Files under the model's upload folder that no row names (an upload whose transaction rolled back)."""
    root = getattr(model, "upload_root", "")
    if not root or not default_storage.exists(root):
        return 0
    named = set()
    for name in model.upload_fields:
        named |= set(model.objects.exclude(**{name: ""}).values_list(name, flat=True))
    deleted = 0
    for path in _walk(root):
        if path not in named and default_storage.get_modified_time(path) < older_than:
            default_storage.delete(path)
            deleted += 1
    return deleted


def _walk(folder):
    directories, files = default_storage.listdir(folder)
    for name in files:
        yield os.path.join(folder, name)
    for name in directories:
        yield from _walk(os.path.join(folder, name))
