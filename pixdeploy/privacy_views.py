"""RGPD: a pupil's data exported or erased by a school admin (from the pupil's page), and the public page that
describes the processing (« Données personnelles »)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.models import Pupil
from orga.schools.guards import school_admin_required

from . import erasure, pupil_export
from .forms import ErasureConfirmationForm


def _pupil(request, pupil_id):
    """The school's pupil (another school's is not found: its admin gets 404 from the guard's school, or here)."""
    return get_object_or_404(
        Pupil.objects.select_related("school", "division", "user"), id=pupil_id, school=request.school
    )


@school_admin_required
def pupil_data_export(request, pupil_id):
    pupil = _pupil(request, pupil_id)
    name, content = pupil_export.export_archive(pupil)
    record(request, request.school, Action.PUPIL_DATA_EXPORTED, ("élève", pupil.id, str(pupil)), format="zip")
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"  # a minor's data: never kept by a proxy or the browser's cache
    return response


@school_admin_required
def pupil_erase(request, pupil_id):
    pupil = _pupil(request, pupil_id)
    pupils_url = reverse("orga:pupils", kwargs={"uai": request.school.uai})
    if pupil.is_erased:  # a second submission, or the page opened again: nothing more to do
        messages.info(request, "Les données de cet élève sont déjà effacées.")
        return redirect(pupils_url)
    expected = f"{pupil.first_name} {pupil.display_last_name}"
    form = ErasureConfirmationForm(request.POST if request.method == "POST" else None, expected=expected)
    if request.method == "POST" and form.is_valid():
        if erasure.erase_pupil(pupil.id, by=request.user, request=request) is None:
            messages.info(request, "Les données de cet élève sont déjà effacées.")
        else:
            messages.success(
                request,
                "Les données personnelles de l'élève sont effacées : son nom, son INE, sa date et son lieu de "
                "naissance et son compte. Ses résultats restent comptés, anonymes, dans les statistiques.",
            )
        return redirect(pupils_url)
    return render(
        request,
        "pixdeploy/pupil_erase.html",
        {
            "school": request.school,
            "pupil": pupil,
            "expected": expected,
            "form": form,
            "certificate_years": settings.CERTIFICATE_KEPT_YEARS,
            "page_title": "Effacer les données d'un élève",
        },
    )


def personal_data(request):
    return render(
        request,
        "pixdeploy/donnees_personnelles.html",
        {
            "page_title": "Données personnelles",
            "retention_years": settings.PUPIL_RETENTION_YEARS,
            "certificate_years": settings.CERTIFICATE_KEPT_YEARS,
        },
    )
