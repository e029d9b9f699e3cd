"""The pupils list and a pupil's page for the staff: they read participations (levels, certifiability), so they
sit in this room rather than in `pupils/`."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from orga.pupils.ent import ent_links, ent_providers
from orga.pupils.forms import EntLinkForm
from orga.pupils.models import Division, Pupil
from orga.schools.guards import class_open_or_403, school_member_required
from orga.schools.permissions import classes_open_to, is_school_admin

from ..certifiability import FILTERS, attach_certifiability, filter_certifiability
from ..follow_up import pupil_levels, pupil_participations

PAGE_SIZE = 50


@school_member_required
def pupil_list(request):
    school = request.school
    open_classes = classes_open_to(request.user, request.membership, "division")
    # An erased pupil is nobody any more: their anonymous row only counts in the results.
    pupils = Pupil.objects.filter(open_classes, school=school, erased_at__isnull=True).select_related(
        "division", "user"
    )
    query = request.GET.get("q", "").strip()
    division_id = request.GET.get("classe", "")
    status = request.GET.get("statut", "actifs")
    certifiability = request.GET.get("certifiable", "")
    if query:
        for word in query.split():
            pupils = pupils.filter(
                Q(last_name__icontains=word)
                | Q(preferred_last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(ine__iexact=word)
            )
    if division_id.isdigit():
        class_open_or_403(request, int(division_id))
        pupils = pupils.filter(division_id=int(division_id))
    if status == "actifs":
        pupils = pupils.filter(is_active=True)
    elif status == "desactives":
        pupils = pupils.filter(is_active=False)
    pupils = filter_certifiability(pupils, certifiability)
    page = Paginator(pupils.order_by("last_name", "first_name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = attach_certifiability(page.object_list)
    context = {
        "school": school,
        "page_obj": page,
        "divisions": Division.objects.filter(classes_open_to(request.user, request.membership), school=school),
        "query": query,
        "division_id": division_id,
        "status": status,
        "certifiability": certifiability,
        "certifiability_filters": FILTERS,
        "page_title": "Élèves",
    }
    template = "orga/pupils/_table.html" if request.htmx else "orga/pupils/list.html"
    return render(request, template, context)


@school_member_required
def pupil_detail(request, pupil_id):
    school = request.school
    pupil = get_object_or_404(Pupil.objects.select_related("division", "user"), id=pupil_id, school=school)
    class_open_or_403(request, pupil.division_id)
    can_manage = is_school_admin(request)
    providers = ent_providers() if can_manage and pupil.user else []
    return render(
        request,
        "orga/pupils/detail.html",
        {
            "school": school,
            "pupil": pupil,
            "participations": pupil_participations(pupil, school),
            "levels": pupil_levels(pupil, school),
            "page_title": str(pupil),
            "can_manage": can_manage,
            "ent_links": ent_links(pupil.user) if providers else [],
            "ent_form": EntLinkForm(providers=providers) if providers else None,
        },
    )
