"""The session's PDFs, for the school's admins."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from certif.sessions.models import Session
from documents.filenames import content_disposition
from orga.schools.guards import school_admin_required

from ..sheets import DOCUMENTS, filename, render


@school_admin_required
def session_document(request, session_id, kind):
    if kind not in DOCUMENTS:
        raise Http404("Document inconnu.")
    session = get_object_or_404(Session.objects.filter(school=request.school).select_related("school"), id=session_id)
    response = HttpResponse(render(kind, session), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename(kind, session), attachment=True)
    return response
