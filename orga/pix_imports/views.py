"""The pages of an import of Pix results, for school admins: upload and history, the job's page (analysis
polled by htmx, then the preview with the unmatched rows and the confirmation, then the report).

`ImportPages` says which import the pages serve: Pix Orga's campaigns here, Pix Certif's sessions in
`certif.pix_imports.views`, which reuses these functions with its own."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required

from . import services
from .forms import PixExportForm
from .models import PixCampaignImport


@dataclass(frozen=True)
class ImportPages:
    model: type
    list_url: str
    detail_url: str
    confirm_url: str
    retry_url: str
    discard_url: str
    title: str
    source: str  # "Pix Orga" or "Pix Certif"
    what: str  # what the file is, for the page's text
    results_label: str


def upload_page(request, pages):
    school = request.school
    form = PixExportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start(pages.model, school, form.cleaned_data["file"], request.user)
        except services.ImportAlreadyRunning as error:
            messages.error(request, error.message)
        else:
            return redirect(pages.detail_url, uai=school.uai, import_id=job.id)
    history = pages.model.objects.filter(school=school).select_related("uploaded_by")[:50]
    return render(
        request,
        "orga/pix_imports/list.html",
        {"school": school, "form": form, "history": history, "pages": pages, "page_title": pages.title},
    )


def detail_page(request, pages, import_id):
    job = get_object_or_404(pages.model.objects.select_related("uploaded_by"), id=import_id, school=request.school)
    context = {
        "school": request.school,
        "job": job,
        "pages": pages,
        "state_labels": services.STATE_LABELS,
        "page_title": pages.title,
    }
    if request.htmx:
        return render(request, "orga/pix_imports/_status.html", context)
    return render(request, "orga/pix_imports/detail.html", context)


def confirm_page(request, pages, import_id):
    job = get_object_or_404(pages.model, id=import_id, school=request.school)
    message, done = services.confirm(job, request.user)
    if done:
        target = (job._meta.verbose_name, job.pk, job.original_name)
        record(request, request.school, Action.PIX_IMPORT_CONFIRMED, target, f"Import {pages.source} confirmé")
    (messages.success if done else messages.error)(request, message)
    return redirect(pages.detail_url, uai=request.school.uai, import_id=job.id)


def rescue_page(request, pages, import_id, action):
    """An admin's "retry" or "discard" of a job nobody works on any more."""
    job = get_object_or_404(pages.model, id=import_id, school=request.school)
    message, done = job.rescue(action)
    (messages.success if done else messages.error)(request, message)
    return redirect(pages.detail_url, uai=request.school.uai, import_id=job.id)


CAMPAIGN_PAGES = ImportPages(
    model=PixCampaignImport,
    list_url="orga:pix_imports",
    detail_url="orga:pix_import_detail",
    confirm_url="orga:pix_import_confirm",
    retry_url="orga:pix_import_retry",
    discard_url="orga:pix_import_discard",
    title="Importer les résultats d'une campagne Pix",
    source="Pix Orga",
    what="l'export des résultats d'une campagne d'évaluation (Pix Orga, onglet « Résultats », « Exporter les "
    "résultats »)",
    results_label="Voir la campagne",
)


@school_admin_required
def campaign_import_list(request):
    return upload_page(request, CAMPAIGN_PAGES)


@school_admin_required
def campaign_import_detail(request, import_id):
    return detail_page(request, CAMPAIGN_PAGES, import_id)


@require_POST
@school_admin_required
def campaign_import_confirm(request, import_id):
    return confirm_page(request, CAMPAIGN_PAGES, import_id)


@require_POST
@school_admin_required
def campaign_import_rescue(request, import_id, action):
    return rescue_page(request, CAMPAIGN_PAGES, import_id, action)
