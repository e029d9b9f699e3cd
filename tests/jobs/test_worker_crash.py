"""A real Celery worker killed with SIGKILL in the middle of an import, an export and a session's convocations:
all end well.

Needs PostgreSQL and Redis (CI has both); skipped on the embedded default. The workers run with
JOBS_CHECKPOINT_DELAY so that each job pauses at its checkpoints long enough to be killed there, and
with short timeouts so that the redelivery and the stale-job check happen within seconds.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from kombu import Queue

from certif.models import SessionDocument
from jobs import maintenance
from jobs.models import INTERRUPTED
from orga.campaigns.services import create_campaign
from orga.models import Pupil, Report, SiecleImport
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from pixdeploy.celery import app as celery_app
from tests.certif.helpers import make_session
from tests.certif.test_document_jobs import add_candidates, pdf_pages
from tests.conftest import _database_url_of_test_db
from tests.factories import DivisionFactory, MembershipFactory, SchoolFactory, UserFactory
from tests.orga.test_exports import PATTERN, add_participations

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEARTBEAT_TIMEOUT = 3  # seconds: a runner silent for longer is dead
VISIBILITY_TIMEOUT = 4  # Redis gives an unacknowledged task to another worker after this long
CHECKPOINT_DELAY = 2.5


@pytest.fixture(autouse=True)
def _real_services(settings):
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Tuer un worker réel demande PostgreSQL et Redis (DATABASE_URL et REDIS_URL).")


@pytest.fixture
def queue():
    name = f"pixdeploy-crash-{uuid.uuid4().hex[:8]}"
    yield name
    with celery_app.connection_for_write() as conn:
        bound = Queue(name).bind(conn.default_channel)
        bound.declare()  # so that this connection knows the bindings that delete() removes
        bound.delete()


@pytest.fixture
def start_worker(tmp_path, queue):
    started = []

    def start(checkpoint_delay, name):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url_of_test_db(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "JOBS_CHECKPOINT_DELAY": str(checkpoint_delay),
            "JOBS_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        }
        node = f"{name}-{queue}@%h"
        command = [sys.executable, "-m", "celery", "-A", "pixdeploy", "worker", "--pool=solo", "-l", "warning"]
        command += ["-n", node, "-Q", f"{queue},{celery_app.conf.task_default_queue}"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        worker = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"Attente trop longue : {what}")


def a_transaction_is_open():
    """A worker's connection to the test database holds an open transaction (it is inside apply_pupils)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'idle in transaction'"
        )
        return cursor.fetchone()[0] > 0


def kill(worker):
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def test_an_import_killed_mid_write_leaves_nothing_and_is_redone_by_the_next_worker(
    settings, tmp_path, queue, start_worker
):
    settings.MEDIA_ROOT = tmp_path
    school = SchoolFactory(uai="0693834T")
    siecle_import = SiecleImport.objects.create(school=school, original_name="ElevesSansAdresses.xml")
    siecle_import.file.save(
        "ElevesSansAdresses.xml", ContentFile(siecle_xml(school.uai, generated_pupils(300, ["3e A", "3e B"], seed=7)))
    )
    upload = siecle_import.file.path

    first = start_worker(CHECKPOINT_DELAY, "first")
    celery_app.tasks["orga.run_siecle_import"].apply_async((siecle_import.id,), queue=queue)
    # Killed while its transaction is open: the pupils are created in it, not yet committed.
    wait_for(a_transaction_is_open, "le worker écrit les élèves")
    kill(first)

    siecle_import.refresh_from_db()
    assert siecle_import.status == SiecleImport.Status.RUNNING and siecle_import.attempts == 1
    wait_for(lambda: not a_transaction_is_open(), "PostgreSQL annule la transaction du worker tué")
    assert Pupil.objects.count() == 0  # nothing half-written
    assert os.path.exists(upload)  # kept for the redelivery

    # The task was never acknowledged: once Redis's visibility timeout has passed, the next worker gets it
    # again, finds the job silent for longer than the heartbeat timeout, and redoes it from the start.
    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    start_worker(0, "second")
    wait_for(
        lambda: SiecleImport.objects.filter(id=siecle_import.id, status=SiecleImport.Status.DONE).exists(),
        "l'import est repris par le second worker",
    )
    siecle_import.refresh_from_db()
    assert siecle_import.attempts == 2 and siecle_import.report["created"] == 300
    assert Pupil.objects.filter(school=school).count() == 300
    assert not siecle_import.file and not os.path.exists(upload)  # the upload is deleted once done


def test_an_export_killed_mid_build_is_failed_by_the_check_then_retried(
    settings, tmp_path, queue, start_worker, framework
):
    settings.MEDIA_ROOT = tmp_path
    settings.JOBS_FAIL_AFTER = HEARTBEAT_TIMEOUT
    school = SchoolFactory(uai="0693834T")
    admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="principale")).user
    campaign = create_campaign(school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1"])
    add_participations(campaign, DivisionFactory(school=school, name="3e A"), PATTERN, seed=3)
    report = Report.objects.create(school=school, campaign=campaign, kind=Report.Kind.RESULTS_XLSX, requested_by=admin)

    first = start_worker(CHECKPOINT_DELAY, "first")
    celery_app.tasks["orga.run_report"].apply_async((report.id,), queue=queue)
    wait_for(lambda: Report.objects.filter(id=report.id, progress__gte=30).exists(), "l'export est en cours")
    kill(first)

    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and not report.file
    # No worker comes back: the periodic check fails the silent job, in French; the school is not blocked.
    wait_for(lambda: maintenance.fail_stale_jobs() == 1, "la vérification périodique voit l'export muet", timeout=20)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.error == INTERRUPTED and report.interrupted
    assert report.can_retry and not report.file
    assert not list(tmp_path.rglob("*.xlsx"))  # nothing half-written

    start_worker(0, "second")
    report.retry()
    wait_for(
        lambda: Report.objects.filter(id=report.id, status=Report.Status.DONE).exists(), "l'export relancé aboutit"
    )
    report.refresh_from_db()
    assert report.file and report.file.name.endswith(".xlsx") and report.attempts == 2


def test_convocations_killed_mid_build_are_built_again_on_redelivery(settings, tmp_path, queue, start_worker):
    settings.MEDIA_ROOT = tmp_path
    school = SchoolFactory(uai="0693834T")
    admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="principale")).user
    session = make_session(school, capacity=300)
    add_candidates(session, 300)
    job = SessionDocument.objects.create(session=session, kind="convocations", requested_by=admin)

    first = start_worker(CHECKPOINT_DELAY, "first")
    celery_app.tasks[SessionDocument.task_name].apply_async((job.id,), queue=queue)
    # Killed once the 300 convocations are written as HTML, before WeasyPrint lays them out.
    wait_for(lambda: SessionDocument.objects.filter(id=job.id, progress__gte=40).exists(), "la mise en page commence")
    kill(first)

    job.refresh_from_db()
    assert job.status == SessionDocument.Status.RUNNING and job.attempts == 1 and not job.file
    assert not list(tmp_path.rglob("*.pdf"))  # nothing half-written

    # Never acknowledged: after Redis's visibility timeout the next worker gets the task again, finds the job
    # silent for longer than the heartbeat timeout, and builds the whole document again.
    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    start_worker(0, "second")
    wait_for(
        lambda: SessionDocument.objects.filter(id=job.id, status=SessionDocument.Status.DONE).exists(),
        "les convocations sont reprises par le second worker",
        timeout=180,
    )
    job.refresh_from_db()
    assert job.attempts == 2 and job.candidate_count == 300 and len(list(tmp_path.rglob("*.pdf"))) == 1
    data = job.file.read()
    pages = pdf_pages(data)
    assert data.startswith(b"%PDF") and len(pages) == 300
    assert all(f"NOM{n:03d}" in "".join(pages) for n in range(300))
