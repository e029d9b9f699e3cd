"""« Mes classes »: the classes a teacher follows, their progress toward the year's objective, reminders."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.pdf import pdf_response
from orga.audit.services import Action, record
from orga.pupils.models import Division
from orga.schools.guards import class_open_or_403, school_member_required
from orga.schools.models import current_school_year
from orga.schools.permissions import is_school_admin, restricted_to_assigned_classes

from ..follow_up import FILTERS, classes_overview, division_progress, followed_divisions, follows, objective_of
from ..forms import ChooseClassesForm, ClassObjectiveForm


def _followed_division_or_403(request, division_id):
    division = get_object_or_404(Division.objects.select_related("objective"), id=division_id, school=request.school)
    class_open_or_403(request, division.id)
    if not follows(request.user, request.membership, division):
        raise PermissionDenied("Ajoutez d'abord cette classe à « Mes classes » pour suivre ses élèves.")
    return division


@school_member_required
def my_classes(request):
    school = request.school
    summaries = classes_overview(followed_divisions(school, request.user, request.membership), school)
    restricted = restricted_to_assigned_classes(request.user, request.membership)
    return render(
        request,
        "orga/classes/my_classes.html",
        {
            "school": school,
            "summaries": summaries,
            "is_admin": is_school_admin(request),
            "can_choose": request.membership is not None and not restricted,
            "restricted": restricted,
            "school_year": current_school_year(),
            "page_title": "Mes classes",
        },
    )


@school_member_required
def choose_classes(request):
    school, membership = request.school, request.membership
    if membership is None:
        messages.info(request, "Un super-administrateur voit toutes les classes sans avoir à les choisir.")
        return redirect("orga:my_classes", uai=school.uai)
    if restricted_to_assigned_classes(request.user, membership):
        raise PermissionDenied(
            "Dans votre établissement, ce sont les administrateurs qui attribuent les classes aux enseignants : "
            "demandez-leur d'ajouter une classe à « Mes classes »."
        )
    form = ChooseClassesForm(
        request.POST if request.method == "POST" else None,
        school=school,
        initial={"divisions": membership.divisions.all()},
    )
    if form.is_valid():
        membership.divisions.set(form.cleaned_data["divisions"])
        count = len(form.cleaned_data["divisions"])
        messages.success(request, f"Vous suivez {count} classe{'s' if count > 1 else ''}.")
        return redirect("orga:my_classes", uai=school.uai)
    return render(
        request,
        "orga/classes/choose.html",
        {"school": school, "form": form, "is_admin": is_school_admin(request), "page_title": "Choisir mes classes"},
    )


def _progress_context(request, division, objective_form=None):
    progress = division_progress(division, request.school)
    kind = request.GET.get("filtre", "")
    campaign_id = request.GET.get("campagne", "")
    chosen = int(campaign_id) if campaign_id.isdigit() else None
    if chosen not in {c.id for c in progress.campaigns}:
        chosen, campaign_id = None, ""
    return {
        "school": request.school,
        "division": division,
        "progress": progress,
        "rows": progress.filtered(kind, chosen),
        "filters": [(code, label) for code, (label, _) in FILTERS.items()],
        "kind": kind if kind in FILTERS else "",
        "campaign_id": campaign_id,
        "objective_form": objective_form or ClassObjectiveForm(instance=progress.objective),
        "page_title": f"Suivi des {division.name}",
    }


@school_member_required
def class_progress(request, division_id):
    division = _followed_division_or_403(request, division_id)
    context = _progress_context(request, division)
    template = "orga/classes/_progress_table.html" if request.htmx else "orga/classes/progress.html"
    return render(request, template, context)


@school_member_required
def reminder_sheet(request, division_id):
    """A printable list, per open campaign, of the pupils to remind: not started, or not finished."""
    division = _followed_division_or_403(request, division_id)
    progress = division_progress(division, request.school)
    context = {
        "school": request.school,
        "division": division,
        "reminders": progress.reminders(),
        "code_url": request.build_absolute_uri(reverse("orga:enter_code")),
        "today": timezone.localdate(),
    }
    record(request, request.school, Action.CLASS_DOCUMENT, division, "Liste de relance (PDF)")
    return pdf_response("orga/classes/reminder_sheet.html", context, f"relance-{division.name.replace(' ', '')}.pdf")


@require_POST
@school_member_required
def class_objective(request, division_id):
    division = _followed_division_or_403(request, division_id)
    # A copy: a refused form must not change the objective shown beside its errors.
    form = ClassObjectiveForm(request.POST, instance=copy.copy(objective_of(division)))
    if form.is_valid():
        objective = form.save(commit=False)
        objective.division = division
        objective.updated_by = request.user
        objective.save()
        messages.success(
            request,
            f"Objectif des {division.name} : {objective.competences_target} compétence"
            f"{'s' if objective.competences_target > 1 else ''} au niveau {objective.level_target} ou plus.",
        )
        return redirect("orga:class_progress", uai=request.school.uai, division_id=division.id)
    return render(request, "orga/classes/progress.html", _progress_context(request, division, form), status=400)
