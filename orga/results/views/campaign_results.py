"""The campaign's tabs for staff: Activité, Résultats, Analyse (Paramètres is the campaign page)."""

import pandas as pd
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from documents.charts import bar_chart
from orga.campaigns.models import Campaign, Participation
from orga.classes.resources import resources_for_needs
from orga.pupils.models import Division
from orga.schools.guards import school_member_required

from ..frames import activity, campaign_results, participations_visible_to, pupil_priorities, tube_analysis

PAGE_SIZE = 100
PRIORITY_ROWS = 100  # the pupils with the weakest results; every pupil is in the Excel export
SORTS = {
    "nom": (["last_name", "first_name"], True),
    "classe": (["division", "last_name", "first_name"], True),
    "maitrise": (["mastery", "last_name"], False),
    "pix": (["pix", "last_name"], False),
    "progression": (["progress", "last_name"], False),
}


def _campaign(request, campaign_id):
    campaign = get_object_or_404(
        Campaign.objects.filter(school=request.school).select_related("owner").prefetch_related("competences"),
        id=campaign_id,
    )
    visible = participations_visible_to(campaign, request.user, request.membership)
    return campaign, visible


def _tab_context(request, campaign, tab, **extra):
    return {"school": request.school, "campaign": campaign, "tab": tab, "page_title": campaign.name, **extra}


@school_member_required
def activity_tab(request, campaign_id):
    campaign, visible = _campaign(request, campaign_id)
    results = campaign_results(campaign, visible)
    data = activity(results)
    chart = bar_chart(
        [(day["day"].strftime("%d/%m"), day["count"]) for day in data["per_day"]],
        length=120,
        thickness=22,
        gap=8,
        vertical=True,
        whole=True,
    )
    return render(
        request, "orga/campaigns/activity.html", _tab_context(request, campaign, "activite", activity=data, chart=chart)
    )


@school_member_required
def results_tab(request, campaign_id):
    campaign, visible = _campaign(request, campaign_id)
    results = campaign_results(campaign, visible)
    frame = results.frame
    divisions = sorted(d for d in frame["division"].unique()) if not frame.empty else []
    division = request.GET.get("classe", "")
    status = request.GET.get("statut", "")
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("tri", "classe")
    if not frame.empty:
        if division:
            frame = frame[frame["division"] == division]
        if status in Participation.Status.values:
            frame = frame[frame["status"] == status]
        if query:
            needle = query.lower()
            names = (frame["last_name"] + " " + frame["first_name"]).str.lower()
            frame = frame[names.str.contains(needle, regex=False)]
        columns, ascending = SORTS.get(sort, SORTS["classe"])
        frame = frame.sort_values(
            columns, ascending=[ascending] + [True] * (len(columns) - 1), kind="stable", na_position="last"
        )
    codes = results.codes
    page = Paginator(range(len(frame)), PAGE_SIZE).get_page(request.GET.get("page"))
    frame = frame.iloc[page.start_index() - 1 : page.end_index()] if len(frame) else frame
    page.object_list = [
        {
            "name": f"{row.last_name} {row.first_name}",
            "division": row.division,
            "status": row.status,
            "status_label": Participation.Status(row.status).label,
            "progress": row.progress,
            "mastery": None if _missing(row.mastery) else int(row.mastery),
            "pix": row.pix,
            "cells": [
                None
                if _missing(getattr(row, f"level_{i}"))
                else (int(getattr(row, f"level_{i}")), int(getattr(row, f"pix_{i}")))
                for i in range(len(codes))
            ],
        }
        for row in _renamed(frame, codes).itertuples(index=False)
    ]
    context = _tab_context(
        request,
        campaign,
        "resultats",
        competences=results.competences,
        page_obj=page,
        divisions=divisions,
        division=division,
        status=status,
        query=query,
        sort=sort,
        statuses=Participation.Status.choices,
        count=page.paginator.count,
        export_divisions=Division.objects.filter(school=request.school, name__in=divisions),
    )
    template = "orga/campaigns/_results_table.html" if request.htmx else "orga/campaigns/results.html"
    return render(request, template, context)


def _missing(value):
    return value is None or pd.isna(value)


def _renamed(frame, codes):
    """Columns named like `level:1.1` cannot be attributes: number them for itertuples."""
    mapping = {}
    for i, code in enumerate(codes):
        mapping[f"level:{code}"] = f"level_{i}"
        mapping[f"pix:{code}"] = f"pix_{i}"
    keep = ["last_name", "first_name", "division", "status", "progress", "mastery", "pix", *mapping]
    if frame.empty:
        return frame.reindex(columns=keep).rename(columns=mapping)
    return frame[keep].rename(columns=mapping)


@school_member_required
def analysis_tab(request, campaign_id):
    campaign, visible = _campaign(request, campaign_id)
    results = campaign_results(campaign, visible)
    shared = results.shared()
    per_competence = []
    for competence in results.competences:
        levels = shared[f"level:{competence.code}"].dropna().astype(int) if not shared.empty else []
        counts = [int((levels == level).sum()) for level in range(6)] if len(levels) else [0] * 6
        per_competence.append(
            {
                "competence": competence,
                "mean_level": round(float(levels.mean()), 1) if len(levels) else None,
                "mastery": int(shared[f"mastery:{competence.code}"].dropna().mean().round()) if len(levels) else None,
                "counts": counts,
                "percent": round(100 * float(levels.mean()) / 5) if len(levels) else 0,
            }
        )
    analysis = resources_for_needs(request.school, tube_analysis(results))
    context = _tab_context(
        request,
        campaign,
        "analyse",
        shared_count=len(shared),
        per_competence=per_competence,
        needs=[a for a in analysis if a["label"]],
        priorities=pupil_priorities(results, pupils=PRIORITY_ROWS),
        priority_rows=PRIORITY_ROWS,
    )
    return render(request, "orga/campaigns/analysis.html", context)
