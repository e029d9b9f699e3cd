"""The convocations and attendance sheet of a large session, prepared by a worker (certif/documents/preparation.py)."""

import datetime
import html
import io
import logging

import pytest
from pypdf import PdfReader

from certif.documents import preparation, sheets
from certif.documents.preparation import SYNC_LIMIT, build_document, runs_in_background, start_document
from certif.models import Candidate, SessionDocument
from jobs.models import INTERRUPTED

from .helpers import make_session, url

CLASSES = ["3e A", "3e B", "3e C", "3e D"]


@pytest.fixture(autouse=True)
def _media(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def add_candidates(session, count, classes=CLASSES):
    """`count` candidates, spread over `classes`, named NOM001 Prénom001 … (no pupil account: a copy is enough)."""
    Candidate.objects.bulk_create(
        Candidate(
            session=session,
            ine=f"{n:010d}A",
            last_name=f"NOM{n:03d}",
            first_name=f"Prénom{n:03d}",
            birthdate=datetime.date(2012, 1, 1) + datetime.timedelta(days=n),
            division_name=classes[n % len(classes)],
        )
        for n in range(count)
    )


@pytest.fixture
def large(school):
    session = make_session(school, capacity=300)
    add_candidates(session, SYNC_LIMIT + 1)
    return session


def pdf_pages(data):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


# --- The rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count", "background"),
    [
        ("convocations", SYNC_LIMIT, False),
        ("convocations", SYNC_LIMIT + 1, True),
        ("emargement", SYNC_LIMIT, False),
        ("emargement", 300, True),
        ("kit-surveillant", 300, False),
        ("pv-incident", 300, False),
    ],
)
def test_only_the_documents_that_grow_with_a_large_session_go_to_a_worker(kind, count, background):
    assert runs_in_background(kind, count) is background


def test_the_background_kinds_are_documents():
    assert set(preparation.BACKGROUND_KINDS) <= set(sheets.DOCUMENTS)


# --- The task --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_twice_leaves_one_file_and_done(large, school_admin, settings):
    job, created = start_document(large, "convocations", school_admin)
    assert created and job.status == SessionDocument.Status.QUEUED
    assert build_document(job.id) == SessionDocument.Status.DONE
    assert build_document(job.id) == SessionDocument.Status.DONE  # the second delivery finds it done
    job.refresh_from_db()
    assert job.status == SessionDocument.Status.DONE and job.progress == 100 and job.attempts == 1
    assert job.candidate_count == SYNC_LIMIT + 1
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == f"{job.id}-convocations-session-{large.number}.pdf"
    assert job.file.name == str(files[0].relative_to(settings.MEDIA_ROOT))
    pages = pdf_pages(job.file.read())
    assert len(pages) == SYNC_LIMIT + 1 and "NOM000" in pages[0]


@pytest.mark.django_db
def test_a_run_taken_over_from_a_dead_worker_rewrites_the_whole_file(large, school_admin, settings):
    job, _created = start_document(large, "emargement", school_admin)
    build_document(job.id)
    job.refresh_from_db()
    first = job.file.name
    # As if its worker had died after writing the file, before saving the job: running, silent, no file named.
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    SessionDocument.objects.filter(id=job.id).update(status="running", heartbeat_at=long_ago, file="")
    assert build_document(job.id) == SessionDocument.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and job.file.name == first
    assert len([p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]) == 1
    assert "NOM000" in "".join(pdf_pages(job.file.read()))


@pytest.mark.django_db
def test_a_running_job_is_not_claimed_again(large, school_admin):
    job, _created = start_document(large, "convocations", school_admin)
    SessionDocument.objects.filter(id=job.id).update(status="running", heartbeat_at=datetime.datetime.now(datetime.UTC))
    assert build_document(job.id) == SessionDocument.Status.RUNNING
    job.refresh_from_db()
    assert job.attempts == 0 and not job.file


@pytest.mark.django_db
def test_a_failure_is_logged_and_told_in_french(large, school_admin, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(preparation, "render", broken)
    job, _created = start_document(large, "convocations", school_admin)
    with caplog.at_level(logging.ERROR, logger="jobs.runner"):
        assert build_document(job.id) == SessionDocument.Status.FAILED
    job.refresh_from_db()
    assert job.error.startswith("Une erreur inattendue") and "boom" not in job.error and not job.file
    assert "boom" in caplog.text


@pytest.mark.django_db
def test_one_job_at_a_time_per_session_and_document(large, school, school_admin):
    first, created = start_document(large, "convocations", school_admin)
    again, created_again = start_document(large, "convocations", school_admin)
    assert created and not created_again and again.id == first.id
    other_kind, created_other = start_document(large, "emargement", school_admin)
    other_session = make_session(school, start=datetime.time(14, 0))
    elsewhere, created_elsewhere = start_document(other_session, "convocations", school_admin)
    assert created_other and created_elsewhere and len({first.id, other_kind.id, elsewhere.id}) == 3


# --- The pages -------------------------------------------------------------------------------------


def page_url(session, kind="convocations"):
    return url("session_document_page", session.school, session_id=session.id, kind=kind)


@pytest.mark.django_db
def test_a_small_session_downloads_at_once(client_for, school, school_admin):
    session = make_session(school)
    add_candidates(session, SYNC_LIMIT)
    response = client_for(school_admin).get(url("session_document", school, session_id=session.id, kind="convocations"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(pdf_pages(response.content)) == SYNC_LIMIT and not SessionDocument.objects.exists()


@pytest.mark.django_db
def test_admin_asks_follows_and_downloads(
    client_for, school, large, school_admin, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    link = client.get(url("session_document", school, session_id=large.id, kind="convocations"))
    assert link.status_code == 302 and link.url == page_url(large)
    page = client.get(link.url).content.decode()
    assert "Préparer le document" in page and "41 candidats" in page and not SessionDocument.objects.exists()
    start = url("session_document_start", school, session_id=large.id, kind="convocations")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start)
    job = SessionDocument.objects.get()
    assert response.status_code == 302 and response.url == page_url(large)
    assert (job.requested_by, job.kind, job.status) == (school_admin, "convocations", SessionDocument.Status.DONE)
    page = client.get(page_url(large)).content.decode()
    download_url = url("session_document_download", school, session_id=large.id, job_id=job.id)
    assert "Votre document est prêt" in page and download_url in page and "hx-get" not in page
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="convocations-session-{large.number}.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF") and len(pdf_pages(body)) == SYNC_LIMIT + 1


@pytest.mark.django_db
def test_a_second_click_reuses_the_running_job(client_for, school, large, school_admin):
    client = client_for(school_admin)
    start = url("session_document_start", school, session_id=large.id, kind="emargement")
    client.post(start)
    response = client.post(start, follow=True)
    assert SessionDocument.objects.count() == 1
    assert "déjà en préparation" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_progress_is_polled_until_done_and_a_failure_offers_to_start_again(client_for, school, large, school_admin):
    job, _created = start_document(large, "convocations", school_admin)
    SessionDocument.objects.filter(id=job.id).update(
        status="running", progress=40, progress_label="Mise en page", heartbeat_at=datetime.datetime.now(datetime.UTC)
    )
    client = client_for(school_admin)
    target = page_url(large)
    page = client.get(target).content.decode()
    assert "<progress" in page and 'value="40"' in page and f'hx-get="{target}"' in page and "every 1s" in page
    partial = client.get(target, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="document-status"') and "<html" not in partial
    download_url = url("session_document_download", school, session_id=large.id, job_id=job.id)
    assert client.get(download_url).url == target  # not ready: back to the page
    SessionDocument.objects.filter(id=job.id).update(status="failed", error="Le modèle est introuvable.")
    partial = html.unescape(client.get(target, headers={"HX-Request": "true"}).content.decode())
    assert "hx-get" not in partial and "Le modèle est introuvable." in partial and "Relancer la préparation" in partial


@pytest.mark.django_db
def test_an_interrupted_preparation_is_retried_from_the_page(
    client_for, school, large, school_admin, eager_tasks, django_capture_on_commit_callbacks
):
    job, _created = start_document(large, "convocations", school_admin)
    job.fail_stale()
    client = client_for(school_admin)
    page = html.unescape(client.get(page_url(large)).content.decode())
    assert INTERRUPTED in page and "Relancer la préparation" in page
    retry = url("session_document_retry", school, session_id=large.id, job_id=job.id)
    assert retry in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302 and response.url == page_url(large)
    job.refresh_from_db()
    assert job.status == SessionDocument.Status.DONE and job.attempts == 1 and job.file


@pytest.mark.django_db
def test_a_small_document_has_no_preparation_page(client_for, school, large, school_admin):
    client = client_for(school_admin)
    assert client.get(page_url(large, "kit-surveillant")).status_code == 404
    assert (
        client.post(url("session_document_start", school, session_id=large.id, kind="pv-incident")).status_code == 404
    )
    small = make_session(school, start=datetime.time(14, 0))
    start = url("session_document_start", school, session_id=small.id, kind="convocations")
    response = client.post(start)
    assert response.url == url("session_document", school, session_id=small.id, kind="convocations")
    assert not SessionDocument.objects.exists()


@pytest.mark.django_db
def test_permissions_on_every_view(client_for, school, large, teacher, other_school_admin, school_admin):
    job, _created = start_document(large, "convocations", school_admin)
    build_document(job.id)
    ids = {"session_id": large.id}
    gets = [
        url("session_document_page", school, kind="convocations", **ids),
        url("session_document_download", school, job_id=job.id, **ids),
    ]
    posts = [
        url("session_document_start", school, kind="convocations", **ids),
        url("session_document_retry", school, job_id=job.id, **ids),
        url("session_document_discard", school, job_id=job.id, **ids),
    ]
    for target in gets:
        assert client_for(school_admin).get(target).status_code == 200
    for user, status in ((teacher, 403), (other_school_admin, 404)):
        client = client_for(user)
        assert all(client.get(target).status_code == status for target in gets)
        assert all(client.post(target).status_code == status for target in posts)
    anonymous = client_for(None)
    assert all(anonymous.get(target).status_code == 302 for target in gets)
    assert all(anonymous.post(target).status_code == 302 for target in posts)
    assert SessionDocument.objects.count() == 1


@pytest.mark.django_db
def test_another_sessions_job_is_404(client_for, school, large, school_admin):
    job, _created = start_document(large, "convocations", school_admin)
    build_document(job.id)
    other = make_session(school, start=datetime.time(14, 0))
    target = url("session_document_download", school, session_id=other.id, job_id=job.id)
    assert client_for(school_admin).get(target).status_code == 404


@pytest.mark.django_db
def test_a_new_preparation_replaces_the_finished_one_and_its_file(
    client_for, school, large, school_admin, settings, eager_tasks, django_capture_on_commit_callbacks
):
    failed, _created = start_document(large, "convocations", school_admin)
    failed.fail("Le modèle est introuvable.")
    client = client_for(school_admin)
    start = url("session_document_start", school, session_id=large.id, kind="convocations")
    for _ in range(2):  # "Relancer la préparation", then "Préparer à nouveau"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(start)
    job = SessionDocument.objects.get()
    assert job.id != failed.id and job.status == SessionDocument.Status.DONE
    assert [p.name for p in settings.MEDIA_ROOT.rglob("*.pdf")] == [f"{job.id}-convocations-session-{large.number}.pdf"]
    large.delete()  # the session's documents go with it, files included
    assert not SessionDocument.objects.exists() and not list(settings.MEDIA_ROOT.rglob("*.pdf"))
