"""A school's years: the open one, closing it, and the closed ones with their figures (school admins only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from orga.audit.services import Action, record
from orga.models import current_school_year
from orga.schools.guards import school_admin_required

from . import school_years


@school_admin_required
def school_year_list(request):
    school = request.school
    return render(
        request,
        "pixdeploy/school_years.html",
        {
            "school": school,
            "refusal": school_years.refusal(school),
            "behind": school_years.is_behind(school),
            "current_year": current_school_year(),
            "closures": school.year_closures.select_related("closed_by"),
            "page_title": "Années scolaires",
        },
    )


@school_admin_required
def close_school_year(request):
    school = request.school
    years_url = reverse("school_years", kwargs={"uai": school.uai})
    reason = school_years.refusal(school)
    if reason:
        messages.error(request, reason)
        return redirect(years_url)
    if request.method == "POST":
        try:
            closure = school_years.close_year(school, request.user)
        except school_years.YearNotClosable as refused:  # another admin changed things meanwhile
            messages.error(request, str(refused))
            return redirect(years_url)
        target = ("année scolaire", closure.pk, closure.school_year)
        record(request, school, Action.SCHOOL_YEAR_CLOSED, target, f"Année {closure.school_year} clôturée")
        messages.success(
            request,
            f"L'année {closure.school_year} est clôturée : ses résultats restent consultables. Pour commencer "
            f"l'année {school_years.next_school_year(closure.school_year)}, importez la liste des élèves de la "
            "rentrée.",
        )
        return redirect(years_url)
    return render(
        request,
        "pixdeploy/close_school_year.html",
        {
            "school": school,
            "summary": school_years.year_summary(school, school.school_year),
            "next_year": school_years.next_school_year(school.school_year),
            "page_title": f"Clôturer l'année {school.school_year}",
        },
    )
