"""Which documents are built in the request and which by a worker, and the worker's side of it.

A kit, a blank incident report, and the convocations or attendance sheet of up to SYNC_LIMIT candidates are
built while the admin waits (a few seconds). Beyond that, the convocations (one page a candidate) and the
attendance sheet are a `SessionDocument` job: queued once the transaction commits, built by the task
`certif.build_session_document`, followed on its page (progress polled by htmx), then downloaded.
One job at a time per session and document: a second click while it runs reuses it.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from jobs.queue import queue_on_commit
from jobs.runner import run_job

from .models import SessionDocument
from .sheets import filename, render

SYNC_LIMIT = 40  # candidates: up to this many, the convocations and the attendance sheet are built at once
BACKGROUND_KINDS = ("convocations", "emargement")  # the documents that grow with the candidates


def runs_in_background(kind, candidate_count):
    return kind in BACKGROUND_KINDS and candidate_count > SYNC_LIMIT


def latest_document(session, kind):
    return SessionDocument.objects.filter(session=session, kind=kind).select_related("requested_by").first()


def start_document(session, kind, user):
    """The job preparing `kind` for `session`: the one under way if any, else a new one. Returns (job, created)."""
    running = SessionDocument.objects.active().filter(session=session, kind=kind).first()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            # The page shows the latest only: the earlier ones and their files go (post_delete).
            for earlier in SessionDocument.objects.filter(session=session, kind=kind):
                earlier.delete()
            job = SessionDocument.objects.create(
                session=session, kind=kind, requested_by=user, candidate_count=session.candidates.count()
            )
            queue_on_commit(SessionDocument.task_name, job.id)
    except IntegrityError:  # another click created it in the meantime: the constraint keeps one
        return SessionDocument.objects.active().get(session=session, kind=kind), False
    return job, True


def stored_name(job):
    return f"{job.id}-{filename(job.kind, job.session)}"


def _build(job):
    job = SessionDocument.objects.select_related("session__school").get(id=job.id)
    job.report_progress(5, "Lecture des candidats")
    steps = {1: (40, "Mise en page"), 2: (80, "Écriture du PDF")}

    def progress(done, _total):
        percent, label = steps[done]
        job.report_progress(percent, label)

    data = render(job.kind, job.session, progress)
    job.checkpoint()
    # Written under a name of its own: a second run (the first one's worker died) writes it again, whole.
    name = job.file.field.generate_filename(job, stored_name(job))
    if default_storage.exists(name):
        default_storage.delete(name)
    job.file.save(stored_name(job), ContentFile(data), save=False)
    return {"file": job.file.name, "candidate_count": job.session.candidates.count()}


def build_document(job_id, task=None):
    """Build and store a job's PDF. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(SessionDocument, job_id, _build, task=task)
