"""The background-job model's life, on SiecleImport and Report: claim, progress, end, stale check, rescue."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone

from jobs import maintenance
from jobs.models import DATABASE_LOST, DISCARDED, INTERRUPTED
from jobs.runner import JobError, run_job
from orga.models import Invitation, Pupil, SiecleImport
from orga.pupils.importing import process_import
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from orga.schools.invitations import expire_invitations
from tests.factories import MembershipFactory, UserFactory

Status = SiecleImport.Status


@pytest.fixture(autouse=True)
def _media_and_eager_tasks(settings, tmp_path, eager_tasks):
    settings.MEDIA_ROOT = tmp_path / "media"


def uploaded_import(school, pupils=5, **fields):
    siecle_import = SiecleImport.objects.create(school=school, original_name="ElevesSansAdresses.xml", **fields)
    data = siecle_xml(school.uai, generated_pupils(pupils, ["3e A", "3e B"], seed=3))
    siecle_import.file.save("ElevesSansAdresses.xml", ContentFile(data))
    return siecle_import


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# --- claim ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_queued_job_is_claimed_once(school):
    job = uploaded_import(school)
    claimed = SiecleImport.claim(job.id)
    assert claimed.status == Status.RUNNING and claimed.attempts == 1 and claimed.heartbeat_at
    assert SiecleImport.claim(job.id) is None  # alive elsewhere: a second delivery does not take it


@pytest.mark.django_db
def test_a_job_whose_runner_went_silent_is_claimed_again(school, settings):
    job = uploaded_import(school)
    SiecleImport.claim(job.id)
    SiecleImport.objects.filter(id=job.id).update(heartbeat_at=ago(seconds=settings.JOBS_HEARTBEAT_TIMEOUT + 1))
    again = SiecleImport.claim(job.id)
    assert again is not None and again.attempts == 2 and again.status == Status.RUNNING


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.DONE, Status.FAILED])
def test_an_ended_job_is_never_claimed(school, status):
    job = uploaded_import(school, status=status)
    assert SiecleImport.claim(job.id) is None


@pytest.mark.django_db
def test_progress_moves_the_bar_and_beats(school):
    job = SiecleImport.claim(uploaded_import(school).id)
    SiecleImport.objects.filter(id=job.id).update(heartbeat_at=ago(minutes=3))
    job.report_progress(140, "Vérification des élèves (3/5)…")
    job.refresh_from_db()
    assert job.progress == 99 and job.progress_label == "Vérification des élèves (3/5)…"
    assert job.heartbeat_at > ago(seconds=30)


# --- ends ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_upload_is_deleted_whatever_the_outcome(school):
    done = uploaded_import(school)
    path = done.file.path
    assert process_import(done.id) == Status.DONE and not os.path.exists(path)

    refused = SiecleImport.objects.create(school=school, original_name="x.xml")
    refused.file.save("x.xml", ContentFile(b"<pas du SIECLE"))
    path = refused.file.path
    assert process_import(refused.id) == Status.FAILED
    refused.refresh_from_db()
    assert refused.was_refused and refused.status_label == "Fichier refusé" and not refused.file
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_a_refusal_and_a_crash_fail_in_french_and_delete_the_upload(school):
    def refuse(job):
        raise JobError("Le fichier est vide.", errors=["Le fichier est vide."])

    def crash(job):
        raise RuntimeError("boom")

    refused = uploaded_import(school)
    assert run_job(SiecleImport, refused.id, refuse) == Status.FAILED
    crashed = uploaded_import(school)
    assert run_job(SiecleImport, crashed.id, crash) == Status.FAILED
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert refused.errors == ["Le fichier est vide."] and not refused.file
    assert crashed.error.startswith("Une erreur inattendue") and "boom" not in crashed.error and not crashed.file
    assert crashed.status_label == "Échec de l'import" and not crashed.can_retry


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_job_whose_database_went_away_is_interrupted_with_its_upload_kept_for_a_retry(school, error):
    def cut(job):
        raise error("server closed the connection unexpectedly")

    job = uploaded_import(school)
    assert run_job(SiecleImport, job.id, cut) == Status.FAILED
    job.refresh_from_db()
    assert job.interrupted and job.error == DATABASE_LOST and job.file and job.can_retry


@pytest.mark.django_db
def test_a_second_delivery_of_a_live_job_asks_celery_to_look_again_later(school, settings):
    class Retry(Exception):
        pass

    class Task:
        class request:
            is_eager = False

        def retry(self, countdown):
            self.countdown = countdown
            return Retry()

    job = uploaded_import(school)
    SiecleImport.claim(job.id)
    task = Task()
    with pytest.raises(Retry):
        run_job(SiecleImport, job.id, lambda job: {}, task=task)
    assert task.countdown == settings.JOBS_HEARTBEAT_TIMEOUT


# --- the periodic check ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_jobs_are_failed_in_french_and_keep_their_upload_for_a_retry(school, other_school, settings):
    silent = uploaded_import(school)
    SiecleImport.claim(silent.id)
    SiecleImport.objects.filter(id=silent.id).update(heartbeat_at=ago(seconds=settings.JOBS_FAIL_AFTER + 1))
    alive = uploaded_import(other_school)
    SiecleImport.claim(alive.id)

    assert maintenance.fail_stale_jobs() == 1
    silent.refresh_from_db()
    alive.refresh_from_db()
    assert silent.status == Status.FAILED and silent.error == INTERRUPTED and silent.interrupted
    assert silent.file and default_storage.exists(silent.file.name)
    assert silent.can_retry and silent.can_discard and silent.status_label == "Import interrompu"
    assert alive.status == Status.RUNNING
    assert maintenance.fail_stale_jobs() == 0


@pytest.mark.django_db
def test_a_job_never_picked_up_is_failed(school, settings):
    job = uploaded_import(school)
    SiecleImport.objects.filter(id=job.id).update(queued_at=ago(seconds=settings.JOBS_QUEUED_TIMEOUT + 1))
    assert maintenance.fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.interrupted


@pytest.mark.django_db
def test_a_stale_job_no_longer_blocks_the_school(
    client_for, school, school_admin, settings, django_capture_on_commit_callbacks
):
    job = uploaded_import(school)
    SiecleImport.claim(job.id)
    SiecleImport.objects.filter(id=job.id).update(heartbeat_at=ago(seconds=settings.JOBS_FAIL_AFTER + 1))
    maintenance.fail_stale_jobs()
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = siecle_xml(school.uai, generated_pupils(4, ["3e A"], seed=5))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(school_admin).post(
            reverse("orga:imports", kwargs={"uai": school.uai}),
            {"file": SimpleUploadedFile("ElevesSansAdresses.xml", data)},
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.error == DISCARDED and not job.file  # the interrupted one gave way, its upload deleted
    assert SiecleImport.objects.filter(status=Status.DONE).count() == 1 and Pupil.objects.count() == 4


@pytest.mark.django_db
def test_uploads_nobody_retried_and_orphan_files_are_deleted(school, settings):
    interrupted = uploaded_import(school)
    SiecleImport.objects.filter(id=interrupted.id).update(
        status=Status.FAILED, interrupted=True, finished_at=ago(seconds=settings.JOBS_UPLOAD_RETENTION + 1)
    )
    recent = uploaded_import(school, status=Status.FAILED, interrupted=True, finished_at=timezone.now())
    orphan = default_storage.save(f"imports/{school.uai}/orphelin.xml", ContentFile(b"<x/>"))
    old = time.time() - settings.JOBS_UPLOAD_RETENTION - 10
    os.utime(default_storage.path(orphan), (old, old))

    assert maintenance.delete_abandoned_uploads() == 2
    interrupted.refresh_from_db()
    recent.refresh_from_db()
    assert not interrupted.file and not interrupted.can_retry
    assert recent.file and default_storage.exists(recent.file.name) and recent.can_retry
    assert not default_storage.exists(orphan)


# --- rescue from the page -------------------------------------------------------------------------


def silent_import(school, settings):
    job = uploaded_import(school)
    SiecleImport.claim(job.id)
    SiecleImport.objects.filter(id=job.id).update(heartbeat_at=ago(seconds=settings.JOBS_HEARTBEAT_TIMEOUT + 1))
    job.refresh_from_db()
    return job


def rescue_url(name, school, job):
    return reverse(f"orga:import_{name}", kwargs={"uai": school.uai, "import_id": job.id})


@pytest.mark.django_db
def test_the_page_of_a_silent_import_offers_retry_and_discard(client_for, school, school_admin, settings):
    job = silent_import(school, settings)
    page = client_for(school_admin).get(reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": job.id}))
    content = page.content.decode()
    assert "Le traitement ne progresse plus" in content
    assert rescue_url("retry", school, job) in content and rescue_url("discard", school, job) in content


@pytest.mark.django_db
def test_admin_retries_a_silent_import(client_for, school, school_admin, settings, django_capture_on_commit_callbacks):
    job = silent_import(school, settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(school_admin).post(rescue_url("retry", school, job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 2 and Pupil.objects.count() == 5  # eager: run again


@pytest.mark.django_db
def test_admin_discards_an_interrupted_import(client_for, school, school_admin, settings):
    job = silent_import(school, settings)
    maintenance.fail_stale_jobs(now=timezone.now() + timedelta(seconds=settings.JOBS_FAIL_AFTER))
    path = job.file.path
    assert client_for(school_admin).post(rescue_url("discard", school, job)).status_code == 302
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == DISCARDED and not job.file and not os.path.exists(path)
    assert Pupil.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_waits_for_the_import_running_meanwhile(client_for, school, school_admin, settings):
    interrupted = silent_import(school, settings)
    maintenance.fail_stale_jobs(now=timezone.now() + timedelta(seconds=settings.JOBS_FAIL_AFTER))
    SiecleImport.objects.create(school=school, original_name="nouveau.xml")  # queued since
    response = client_for(school_admin).post(rescue_url("retry", school, interrupted), follow=True)
    assert "Un import est déjà en cours pour cet établissement" in response.content.decode()
    interrupted.refresh_from_db()
    assert interrupted.status == Status.FAILED and interrupted.can_retry


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
@pytest.mark.parametrize("action", ["retry", "discard"])
def test_only_the_school_admin_rescues_an_import(client_for, request, school, settings, who, status, action):
    job = silent_import(school, settings)
    response = client_for(request.getfixturevalue(who)).post(rescue_url(action, school, job))
    assert response.status_code == status
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.file


@pytest.mark.django_db
def test_rescue_is_a_post(client_for, school, school_admin, settings):
    job = silent_import(school, settings)
    assert client_for(school_admin).get(rescue_url("retry", school, job)).status_code == 405


@pytest.mark.django_db
def test_a_finished_import_cannot_be_rescued(client_for, school, school_admin):
    job = uploaded_import(school)
    process_import(job.id)
    client = client_for(school_admin)
    client.post(rescue_url("retry", school, job))
    client.post(rescue_url("discard", school, job))
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 1


# --- invitations ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitations_expired_for_a_month_are_closed(school, school_admin):
    old = Invitation.objects.create(school=school, email="ancien@ac-lyon.fr", sent_at=ago(days=38))
    recent = Invitation.objects.create(school=school, email="recent@ac-lyon.fr", sent_at=ago(days=20))
    assert expire_invitations() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Invitation.Status.EXPIRED and recent.status == Invitation.Status.PENDING


def test_the_beat_schedule_names_registered_tasks(settings):
    from pixdeploy.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_rescue_of_another_members_export_is_404(client_for, school, teacher, django_capture_on_commit_callbacks):
    colleague = MembershipFactory(school=school, user=UserFactory(username="collegue")).user
    from orga.campaigns.services import create_campaign
    from orga.models import Report

    campaign = create_campaign(school=school, owner=colleague, name="C", type="assessment", competence_codes=["1.1"])
    report = Report.objects.create(school=school, campaign=campaign, kind="results_csv", requested_by=colleague)
    Report.objects.filter(id=report.id).update(status=Status.FAILED, interrupted=True)
    url = reverse("orga:report_retry", kwargs={"uai": school.uai, "report_id": report.id})
    assert client_for(teacher).post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(colleague).post(url).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
