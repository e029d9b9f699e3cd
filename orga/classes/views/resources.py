"""Teaching resources shared between the school's teachers: list by competence, add, delete."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crcn.models import Competence
from documents.filenames import download_filename
from orga.schools.guards import school_member_required

from ..forms import ResourceForm
from ..models import Resource

PAGE_SIZE = 30


@school_member_required
def resource_list(request):
    school = request.school
    competences = list(Competence.objects.in_framework_order())
    code = request.GET.get("competence", "")
    if code not in {c.code for c in competences}:
        code = ""
    resources = (
        Resource.objects.filter(school=school)
        .select_related("author")
        .prefetch_related(Prefetch("competences", queryset=Competence.objects.order_by("code")))
        .order_by("-created_at", "-id")
    )
    if code:
        resources = resources.filter(competences__code=code)
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    for resource in page:
        resource.can_delete = resource.can_be_deleted_by(request.user, request.membership)
    context = {
        "school": school,
        "page_obj": page,
        "competences": competences,
        "code": code,
        "page_title": "Ressources pédagogiques",
    }
    template = "orga/resources/_list.html" if request.htmx else "orga/resources/list.html"
    return render(request, template, context)


@school_member_required
def resource_create(request):
    school = request.school
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        resource = form.save(commit=False)
        resource.school = school
        resource.author = request.user
        resource.save()
        form.save_m2m()
        messages.success(request, f"Ressource « {resource.title} » partagée avec l'équipe.")
        return redirect("orga:resources", uai=school.uai)
    return render(
        request,
        "orga/resources/form.html",
        {"school": school, "form": form, "page_title": "Partager une ressource"},
    )


@require_POST
@school_member_required
def resource_delete(request, resource_id):
    resource = get_object_or_404(Resource, id=resource_id, school=request.school)
    if not resource.can_be_deleted_by(request.user, request.membership):
        raise PermissionDenied("Seuls l'auteur de la ressource et les administrateurs peuvent la supprimer.")
    title = resource.title
    if resource.file:
        resource.file.delete(save=False)
    resource.delete()
    messages.success(request, f"Ressource « {title} » supprimée.")
    return redirect("orga:resources", uai=request.school.uai)


@school_member_required
def resource_file(request, resource_id):
    """The shared file, to the school's staff only, always as a download (an uploaded .html must not run here)."""
    from django.http import FileResponse, Http404

    resource = get_object_or_404(Resource, id=resource_id, school=request.school)
    if not resource.file:
        raise Http404("Cette ressource n'a pas de fichier.")
    name = resource.file.name.rsplit("/", 1)[-1]
    response = FileResponse(resource.file.open("rb"), as_attachment=True, filename=download_filename(name))
    response["X-Content-Type-Options"] = "nosniff"
    return response
