"""The session's PDFs, for the school's admins.

A small document comes back at once. The convocations and the attendance sheet of a large session
(preparation.SYNC_LIMIT) are prepared by a worker: their link leads to the document's page, where the admin
asks for it, follows the progress bar (polled by htmx: the same view answers with its status fragment) and
downloads it; a failed preparation says why and may be started again.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from certif.sessions.models import Session
from certif.sessions.views.sessions import DOCUMENT_LINKS
from documents.filenames import content_disposition, download_filename
from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required

from ..models import SessionDocument
from ..preparation import BACKGROUND_KINDS, SYNC_LIMIT, latest_document, runs_in_background, start_document
from ..sheets import DOCUMENTS, filename
from ..sheets import render as render_document

LABELS = dict(DOCUMENT_LINKS)


def _session_or_404(request, session_id):
    return get_object_or_404(Session.objects.filter(school=request.school).select_related("school"), id=session_id)


def _background_kind_or_404(kind):
    if kind not in BACKGROUND_KINDS:
        raise Http404("Ce document se télécharge directement.")


def _record(request, session, kind):
    description = f"{LABELS.get(kind, kind)} (PDF)"
    record(request, request.school, Action.CERTIFICATION_EXPORTED, session, description, document=kind)


def _page(request, session, kind):
    return redirect("certif:session_document_page", uai=request.school.uai, session_id=session.id, kind=kind)


@school_admin_required
def session_document(request, session_id, kind):
    if kind not in DOCUMENTS:
        raise Http404("Document inconnu.")
    session = _session_or_404(request, session_id)
    if runs_in_background(kind, session.candidates.count()):
        return _page(request, session, kind)
    response = HttpResponse(render_document(kind, session), content_type="application/pdf")
    _record(request, session, kind)
    response["Content-Disposition"] = content_disposition(filename(kind, session), attachment=True)
    return response


@school_admin_required
def document_page(request, session_id, kind):
    """The document of a large session: ask for it, follow its preparation, download it."""
    _background_kind_or_404(kind)
    session = _session_or_404(request, session_id)
    candidate_count = session.candidates.count()
    context = {
        "school": request.school,
        "session": session,
        "session_label": f"Session n° {session.number}",
        "kind": kind,
        "label": LABELS[kind],
        "job": latest_document(session, kind),
        "candidate_count": candidate_count,
        "in_background": runs_in_background(kind, candidate_count),
        "sync_limit": SYNC_LIMIT,
        "page_title": f"{LABELS[kind]} — session n° {session.number}",
    }
    if request.htmx:
        return render(request, "certif/documents/_preparation.html", context)
    return render(request, "certif/documents/preparation.html", context)


@require_POST
@school_admin_required
def document_start(request, session_id, kind):
    _background_kind_or_404(kind)
    session = _session_or_404(request, session_id)
    if not runs_in_background(kind, session.candidates.count()):
        return redirect("certif:session_document", uai=request.school.uai, session_id=session.id, kind=kind)
    _job, created = start_document(session, kind, request.user)
    if not created:
        messages.info(request, "Ce document est déjà en préparation : la page suit la préparation en cours.")
    return _page(request, session, kind)


def _job_or_404(request, session_id, job_id):
    session = _session_or_404(request, session_id)
    return get_object_or_404(SessionDocument.objects.filter(session=session).select_related("session"), id=job_id)


@school_admin_required
def document_download(request, session_id, job_id):
    job = _job_or_404(request, session_id, job_id)
    if job.status != SessionDocument.Status.DONE or not job.file:
        return _page(request, job.session, job.kind)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Le fichier n'est plus disponible : préparez le document à nouveau.") from error
    name = download_filename(filename(job.kind, job.session))
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
    _record(request, job.session, job.kind)
    response["Cache-Control"] = "private, no-store"  # personal data
    return response


@require_POST
@school_admin_required
def document_rescue(request, session_id, job_id, action):
    job = _job_or_404(request, session_id, job_id)
    message, done = job.rescue(action)
    (messages.success if done else messages.error)(request, message)
    return _page(request, job.session, job.kind)
