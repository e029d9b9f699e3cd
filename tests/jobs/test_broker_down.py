"""A job queued while the broker is down: the page that queued it answers, the job says it was not sent and can be
retried; Celery's settings that make a killed worker's task come back. (bench/faults/ plays these for real.)"""

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from jobs.models import NOT_SENT
from orga.models import SiecleImport
from orga.pupils.siecle_sample import generated_pupils, siecle_xml


@pytest.fixture
def broker_down(monkeypatch, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    sent = []

    def refuse(*args, **kwargs):
        sent.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(current_app.tasks[SiecleImport.task_name], "delay", refuse)
    return sent


@pytest.mark.django_db
def test_an_upload_while_the_broker_is_down_answers_and_the_import_says_it_was_not_sent(
    client_for, school, school_admin, broker_down, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    data = siecle_xml(school.uai, generated_pupils(3, ["3e A"], seed=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orga:imports", kwargs={"uai": school.uai}),
            {"file": SimpleUploadedFile("ElevesSansAdresses.xml", data)},
        )
    assert response.status_code == 302 and len(broker_down) == 1
    job = SiecleImport.objects.get()
    assert job.status == SiecleImport.Status.FAILED and job.error == NOT_SENT and job.interrupted
    assert job.file and job.can_retry  # the upload is kept: the admin retries once the broker is back
    html = client.get(response.url).content.decode()
    assert "Le serveur de tâches était injoignable" in html and "Relancer" in html


@pytest.mark.django_db
def test_a_retry_while_the_broker_is_still_down_fails_again_with_the_same_message(
    school, broker_down, django_capture_on_commit_callbacks
):
    job = SiecleImport.objects.create(
        school=school, original_name="a.xml", status=SiecleImport.Status.FAILED, interrupted=True
    )
    job.file.save("a.xml", SimpleUploadedFile("a.xml", b"<x/>"))
    with django_capture_on_commit_callbacks(execute=True):
        job.retry()
    job.refresh_from_db()
    assert job.status == SiecleImport.Status.FAILED and job.error == NOT_SENT and job.can_retry


def test_a_killed_workers_task_is_delivered_again_and_sending_does_not_wait_on_results():
    conf = current_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > 0
    # A task that subscribed to its result made `.delay()` wait 20 s on a stopped Redis, then broke the app.
    assert conf.task_ignore_result and not current_app.tasks["pixdeploy.ping"].ignore_result
    assert conf.task_publish_retry_policy["max_retries"] <= 3
