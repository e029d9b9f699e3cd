from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from orga.schools.guards import school_admin_required
from orga.schools.permissions import is_school_admin

from ..importing import ImportAlreadyRunning, start_import
from ..models import SiecleImport
from ..siecle import MAX_FILE_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des élèves",
        help_text="Export SIECLE « ElevesSansAdresses » (.xml ou .zip) ou, pour les lycées agricoles, le fichier "
        "CSV (séparateur « ; »). 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"Le fichier pèse {file.size / 1024 / 1024:.1f} Mo : la limite est de 20 Mo. "
                "Déposez l'export zippé ou vérifiez que c'est le bon fichier."
            )
        return file


@school_admin_required
def import_list(request):
    school = request.school
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            siecle_import = start_import(school, form.cleaned_data["file"], request.user)
        except ImportAlreadyRunning as error:
            messages.error(request, error.message)
        else:
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
