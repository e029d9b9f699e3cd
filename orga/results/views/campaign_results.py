"""The campaign's tabs for staff: Activité, Résultats, Analyse (Paramètres is the campaign page)."""

from django.shortcuts import get_object_or_404, render

from orga.campaigns.models import Campaign, Participation
from orga.campaigns.panels import render_tab
from orga.campaigns.stats import VisibleStats
from orga.pupils.models import Division
from orga.schools.guards import class_open_or_403, school_member_required

from .. import tabs
from ..frames import participations_visible_to


def _campaign(request, campaign_id):
    """The campaign (of the school) and the participations the user may see."""
    campaign = get_object_or_404(
        Campaign.objects.filter(school=request.school).select_related("owner").prefetch_related("competences"),
        id=campaign_id,
    )
    return campaign, participations_visible_to(campaign, request.user, request.membership)


def _render_tab(request, name, context):
    return render_tab(request, f"orga/campaigns/{name}.html", f"orga/campaigns/_{name}_panel.html", context)


def _tab_context(request, campaign, tab, **extra):
    return {"school": request.school, "campaign": campaign, "tab": tab, "page_title": campaign.name, **extra}


@school_member_required
def activity_tab(request, campaign_id):
    campaign, participations = _campaign(request, campaign_id)
    context = _tab_context(request, campaign, "activite", **tabs.activity_tab(VisibleStats(campaign, participations)))
    return _render_tab(request, "activity", context)


@school_member_required
def results_tab(request, campaign_id):
    campaign, participations = _campaign(request, campaign_id)
    if request.GET.get("classe"):  # results filtered by class: that class must be open to the user
        chosen = Division.objects.filter(school=request.school, name=request.GET["classe"]).first()
        if chosen is not None:
            class_open_or_403(request, chosen.id)
    table = tabs.results_page(
        campaign,
        participations,
        division=request.GET.get("classe", ""),
        status=request.GET.get("statut", ""),
        query=request.GET.get("q", ""),
        sort=request.GET.get("tri", tabs.DEFAULT_SORT),
        page=request.GET.get("page"),
    )
    context = _tab_context(
        request,
        campaign,
        "resultats",
        competences=table.competences,
        page_obj=table.page,
        divisions=table.divisions,
        division=table.division,
        status=table.status,
        query=table.query,
        sort=table.sort,
        statuses=Participation.Status.choices,
        count=table.page.paginator.count,
        export_divisions=Division.objects.filter(school=request.school, name__in=table.divisions),
    )
    if request.htmx and request.htmx.target == "results-table":  # the filters refresh only the table
        return render(request, "orga/campaigns/_results_table.html", context)
    return _render_tab(request, "results", context)


@school_member_required
def analysis_tab(request, campaign_id):
    campaign, participations = _campaign(request, campaign_id)
    context = _tab_context(request, campaign, "analyse", **tabs.analysis_tab(campaign, participations, request.school))
    return _render_tab(request, "analysis", context)
