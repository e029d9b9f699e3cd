from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required
from orga.schools.permissions import is_school_admin

from ..forms import ImportForm
from ..importing import ImportAlreadyRunning, start_import
from ..models import SiecleImport
from ..uploads import SizeLimitedUploadHandler


# The upload handler must be in place before the body is parsed, which the CSRF middleware would do first:
# the view is exempted from the middleware and checks the token itself, once the handler is set.
@csrf_exempt
@school_admin_required
def import_list(request):
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))
    return _import_list(request)


@csrf_protect
def _import_list(request):
    school = request.school
    data, files = request.POST, request.FILES  # parsed here, through the handler
    # A file stopped while streaming is missing from `files`: the form says why, as if it had checked it.
    refused = getattr(request, "upload_refused", None)
    if refused:
        form = ImportForm(data, files, school=school, refused=refused)
    else:
        form = ImportForm(data or None, files or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            siecle_import = start_import(school, form.cleaned_data["file"], request.user)
        except ImportAlreadyRunning as error:
            messages.error(request, error.message)
        else:
            target = ("import SIECLE", siecle_import.pk, siecle_import.original_name)
            record(request, school, Action.SIECLE_IMPORT_STARTED, target, "Fichier envoyé")
            return redirect("orga:import_detail", uai=school.uai, import_id=siecle_import.id)
    history = SiecleImport.objects.filter(school=school).select_related("uploaded_by")[:50]
    return render(
        request,
        "orga/imports/list.html",
        {"school": school, "form": form, "history": history, "page_title": "Importer les élèves"},
    )


@school_admin_required
def import_detail(request, import_id):
    siecle_import = get_object_or_404(
        SiecleImport.objects.select_related("uploaded_by"), id=import_id, school=request.school
    )
    context = {
        "school": request.school,
        "import": siecle_import,
        "page_title": "Import des élèves",
        "can_manage": is_school_admin(request),
    }
    if request.htmx:
        return render(request, "orga/imports/_status.html", context)
    return render(request, "orga/imports/detail.html", context)


@require_POST
@school_admin_required
def import_rescue(request, import_id, action):
    siecle_import = get_object_or_404(SiecleImport, id=import_id, school=request.school)
    message, done = siecle_import.rescue(action)
    (messages.success if done else messages.error)(request, message)
    return redirect("orga:import_detail", uai=request.school.uai, import_id=siecle_import.id)
