from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from documents.filenames import content_disposition
from orga.schools.guards import class_open_or_403, school_admin_required, school_member_required
from orga.schools.permissions import classes_open_to, is_school_admin

from ..accounts import credentials_csv, credentials_pdf, generate_accounts, reset_passwords
from ..models import Division, Pupil, SiecleImport

PAGE_SIZE = 50


@school_member_required
def pupil_list(request):
    school = request.school
    open_classes = classes_open_to(request.user, request.membership, "division")
    pupils = Pupil.objects.filter(open_classes, school=school).select_related("division", "user")
    query = request.GET.get("q", "").strip()
    division_id = request.GET.get("classe", "")
    status = request.GET.get("statut", "actifs")
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
    page = Paginator(pupils.order_by("last_name", "first_name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "school": school,
        "page_obj": page,
        "divisions": Division.objects.filter(classes_open_to(request.user, request.membership), school=school),
        "query": query,
        "division_id": division_id,
        "status": status,
        "page_title": "Élèves",
    }
    template = "orga/pupils/_table.html" if request.htmx else "orga/pupils/list.html"
    return render(request, template, context)


@school_member_required
def pupil_detail(request, pupil_id):
    pupil = get_object_or_404(Pupil.objects.select_related("division", "user"), id=pupil_id, school=request.school)
    class_open_or_403(request, pupil.division_id)
    return render(
        request,
        "orga/pupils/detail.html",
        {"school": request.school, "pupil": pupil, "page_title": str(pupil), "can_manage": is_school_admin(request)},
    )


@school_member_required
def division_list(request):
    school = request.school
    divisions = Division.objects.filter(school=school).annotate(
        active_pupils=Count("pupils", filter=Q(pupils__is_active=True)),
        with_account=Count("pupils", filter=Q(pupils__is_active=True, pupils__user__isnull=False)),
    )
    last_import = SiecleImport.objects.filter(school=school, status=SiecleImport.Status.DONE).first()
    return render(
        request,
        "orga/pupils/divisions.html",
        {
            "school": school,
            "divisions": divisions,
            "last_import": last_import,
            "can_manage": is_school_admin(request),
            "page_title": "Classes",
        },
    )


@school_admin_required
def division_accounts(request, division_id):
    division = get_object_or_404(Division, id=division_id, school=request.school)
    pupils = division.pupils.filter(is_active=True).select_related("user").order_by("last_name", "first_name")
    return render(
        request,
        "orga/pupils/accounts.html",
        {"school": request.school, "division": division, "pupils": pupils, "page_title": f"Comptes des {division}"},
    )


@require_POST
@school_admin_required
def credentials_file(request, division_id, fmt):
    """Generate missing accounts or reset passwords, and answer with the sheet (PDF or CSV)."""
    school = request.school
    division = get_object_or_404(Division, id=division_id, school=school)
    if fmt not in ("pdf", "csv"):
        return HttpResponse("Format inconnu : pdf ou csv.", status=404)
    action = request.POST.get("action")
    pupils = (
        division.pupils.filter(is_active=True).select_related("division", "user").order_by("last_name", "first_name")
    )
    selected = [int(value) for value in request.POST.getlist("eleves") if value.isdigit()]
    if selected:
        pupils = pupils.filter(id__in=selected)
    pupils = list(pupils)
    if action == "generer":
        credentials = generate_accounts(pupils)
        empty_message = "Tous les élèves choisis ont déjà un compte : utilisez « Réinitialiser les mots de passe »."
    elif action == "reinitialiser":
        credentials = reset_passwords(pupils)
        empty_message = "Aucun des élèves choisis n'a encore de compte : générez d'abord les comptes."
    else:
        return HttpResponse("Action inconnue.", status=400)
    if not credentials:
        messages.warning(request, empty_message)
        return redirect("orga:division_accounts", uai=school.uai, division_id=division.id)
    filename = f"identifiants-{school.uai}-{division.name.replace(' ', '')}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(credentials_csv(credentials), content_type="text/csv; charset=utf-8")
    else:
        login_url = request.build_absolute_uri(reverse("account_login"))
        pdf = credentials_pdf(credentials, school, division.name, login_url)
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response
