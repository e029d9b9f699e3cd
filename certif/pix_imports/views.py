"""The pages of the import of Pix Certif's results: orga's import pages (`ImportPages`), for certification."""

from django.views.decorators.http import require_POST

from orga.pix_imports.views import ImportPages, confirm_page, detail_page, rescue_page, upload_page
from orga.schools.guards import school_admin_required

from .models import PixSessionImport

SESSION_PAGES = ImportPages(
    model=PixSessionImport,
    list_url="certif:pix_imports",
    detail_url="certif:pix_import_detail",
    confirm_url="certif:pix_import_confirm",
    retry_url="certif:pix_import_retry",
    discard_url="certif:pix_import_discard",
    title="Importer les résultats d'une session Pix Certif",
    source="Pix Certif",
    what="le fichier des résultats d'une session (Pix Certif, session « Résultats transmis », « Exporter les "
    "résultats »)",
    results_label="Voir les résultats par classe",
)


@school_admin_required
def session_import_list(request):
    return upload_page(request, SESSION_PAGES)


@school_admin_required
def session_import_detail(request, import_id):
    return detail_page(request, SESSION_PAGES, import_id)


@require_POST
@school_admin_required
def session_import_confirm(request, import_id):
    return confirm_page(request, SESSION_PAGES, import_id)


@require_POST
@school_admin_required
def session_import_rescue(request, import_id, action):
    return rescue_page(request, SESSION_PAGES, import_id, action)
