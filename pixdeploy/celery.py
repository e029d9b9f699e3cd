"""The Celery application: `celery -A pixdeploy worker -l info`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")

app = Celery("pixdeploy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
