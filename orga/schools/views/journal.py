"""The school's journal of sensitive actions (`orga.audit`), for its admins: page and CSV export."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from documents.filenames import content_disposition
from orga.audit import journal
from orga.audit.forms import JournalFilterForm

from ..guards import school_admin_required


def _filtered(request):
    """The filter form and the events it lets through; an invalid field is left out, and the form says why."""
    form = JournalFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()  # cleans every field: one with an error is left out of cleaned_data
        filters = form.cleaned_data
    return form, journal.events(request.school, filters)


@school_admin_required
def journal_page(request):
    form, events = _filtered(request)
    page = journal.page_of(events, request.GET.get("page"))
    context = {
        "school": request.school,
        "form": form,
        "page_obj": page,
        "events": page.object_list,
        "page_title": "Journal des actions sensibles",
    }
    return render(request, "orga/journal/journal.html", context, status=400 if form.errors else 200)


@school_admin_required
def journal_csv(request):
    _form, events = _filtered(request)
    response = HttpResponse(journal.csv_file(events), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = content_disposition(f"journal-{request.school.uai}-{day}.csv")
    response["Cache-Control"] = "private, no-store"
    return response
