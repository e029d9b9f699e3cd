"""What the campaign's tabs show: the views only read the request and render.

Each tab reads what it shows, whatever the number of participants: Activité and Analyse sum the campaign's
aggregates (`orga.campaigns.stats`) over the classes the reader sees; Résultats filters, sorts and cuts pages in
the database, then computes the figures of the page's rows only (`frames.campaign_results`); Analyse's pupils'
priorities read the weakest pupils only.
"""

import datetime
from dataclasses import dataclass

import pandas as pd
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf

from crcn.levels import level_range
from documents.charts import bar_chart
from orga.campaigns.models import Answer, Participation
from orga.campaigns.stats import VisibleStats
from orga.classes.resources import resources_for_needs

from .frames import campaign_results, profile_row, pupil_priorities, ranked_needs

PAGE_SIZE = 100
PRIORITY_ROWS = 100  # the pupils with the weakest results; every pupil is in the Excel export
FOLD_ROWS = 10  # rows of a long section shown before "Voir les N autres", the rest folded
DEFAULT_SORT = "classe"
STATUS = Participation.Status


def shown_last_name():
    """The last name shown (the preferred one, else the official one), as the frame's `last_name`."""
    return Coalesce(NullIf("pupil__preferred_last_name", Value("")), "pupil__last_name")


def _answered():
    answers = Answer.objects.filter(participation=OuterRef("pk")).order_by().values("participation")
    return Coalesce(Subquery(answers.annotate(n=Count("id")).values("n")), 0)


def _progress():
    """Orders as the progress shown: a started test by its answers (counted for the started ones only), then
    every finished one (100 %)."""
    return Case(When(status=STATUS.STARTED, then=_answered()), default=Value(1_000_000), output_field=IntegerField())


# ?tri= → the ORDER BY of the participations: the first key as asked, the others break ties, ascending.
SORTS = {
    "nom": lambda: ["shown_last_name", "pupil__first_name"],
    "classe": lambda: [Coalesce("pupil__division__name", Value("")), "shown_last_name", "pupil__first_name"],
    "maitrise": lambda: [F("mastery").desc(nulls_last=True), "shown_last_name"],
    "pix": lambda: ["-pix", "shown_last_name"],
    "progression": lambda: [_progress().desc(), "shown_last_name"],
}


def activity_tab(stats):
    """Participants by status and by class, and new participations per day, from the aggregates."""
    statuses = stats.total["statuses"]
    data = {
        "statuses": statuses,
        "by_class": [
            {"division": name or "Sans classe", **{s: counts["statuses"].get(s, 0) for s in STATUS.values}}
            for name, counts in stats.per_class
        ],
        "per_day": [
            {"day": datetime.date.fromisoformat(day), "count": n} for day, n in sorted(stats.total["days"].items())
        ],
        "total": sum(statuses.values()),
    }
    chart = bar_chart(
        [(day["day"].strftime("%d/%m"), day["count"]) for day in data["per_day"]],
        length=120,
        thickness=22,
        gap=8,
        vertical=True,
        whole=True,
    )
    return {"activity": data, "chart": chart}


@dataclass
class ResultsPage:
    page: Page  # its object_list: the page's rows, ready to show
    divisions: list  # the classes of every participant, for the filter
    division: str
    status: str
    query: str
    sort: str
    competences: list  # the campaign's, in framework order: the table's columns


def ordered_competences(campaign):
    return sorted(campaign.competences.all(), key=lambda c: c.code)


def results_page(campaign, participations, *, division="", status="", query="", sort=DEFAULT_SORT, page=None):
    """The participants (among `participations`, those the reader sees) of `division` (a class name) in `status`,
    whose name holds `query`, sorted by `sort` (a key of SORTS; another is the default sort), page number `page`
    (a string, as in the URL). Filtered, sorted and cut in the database; the page's rows only are computed."""
    names = participations.order_by().values_list("pupil__division__name", flat=True).distinct()
    divisions = sorted({name or "" for name in names})
    query = query.strip()
    rows = participations.annotate(shown_last_name=shown_last_name())
    if division:
        rows = rows.filter(pupil__division__name=division)
    if status in STATUS.values:
        rows = rows.filter(status=status)
    if query:
        rows = rows.annotate(full_name=Concat("shown_last_name", Value(" "), "pupil__first_name"))
        rows = rows.filter(full_name__icontains=query)
    rows = rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])(), "id")
    paged = Paginator(rows.values_list("id", flat=True), PAGE_SIZE).get_page(page)
    ids = list(paged.object_list)
    competences = ordered_competences(campaign)
    paged.object_list = _rows(campaign, ids) if ids else []
    return ResultsPage(paged, divisions, division, status, query, sort, competences)


def _rows(campaign, ids):
    """The table's rows of these participations, in this order."""
    results = campaign_results(campaign, Participation.objects.filter(id__in=ids))
    frame = results.frame.set_index("participation_id").loc[ids].reset_index()
    return [
        {
            "name": f"{row.last_name} {row.first_name}",
            "division": row.division,
            "status": row.status,
            "status_label": STATUS(row.status).label,
            "progress": row.progress,
            "mastery": None if _missing(row.mastery) else int(row.mastery),
            "pix": row.pix,
            "cells": [  # (label shown on a phone, where each row is a card; (level, pix) or None)
                (
                    f"{competence.code} {competence.title}",
                    None
                    if _missing(getattr(row, f"level_{i}"))
                    else (int(getattr(row, f"level_{i}")), int(getattr(row, f"pix_{i}"))),
                )
                for i, competence in enumerate(results.competences)
            ],
        }
        for row in _renamed(frame, results.codes).itertuples(index=False)
    ]


def _missing(value):
    return value is None or pd.isna(value)


def _renamed(frame, codes):
    """Columns named like `level:1.1` cannot be attributes: number them for itertuples."""
    mapping = {}
    for i, code in enumerate(codes):
        mapping[f"level:{code}"] = f"level_{i}"
        mapping[f"pix:{code}"] = f"pix_{i}"
    keep = ["last_name", "first_name", "division", "status", "progress", "mastery", "pix", *mapping]
    return frame[keep].rename(columns=mapping)


def competence_profile(stats, competences):
    """`frames.competence_profile` from the aggregates."""
    profile = []
    for competence in competences:
        levels = {int(level): n for level, n in stats.total["levels"].get(competence.code, {}).items()}
        mastery_sum, mastery_count = stats.total["mastery"].get(competence.code, (0, 0))
        profile.append(profile_row(competence, levels, mastery_sum, mastery_count))
    return profile


def tube_analysis(stats, competences):
    """`frames.tube_analysis` from the aggregates."""
    total = stats.total
    counts = {
        int(tube): (mastered, needing, {int(level): n for level, n in next_levels.items()})
        for tube, (mastered, needing, next_levels) in total["tubes"].items()
    }
    sizes = {int(tube): n for tube, n in total["tube_skills"].items()}
    return ranked_needs([c.code for c in competences], counts, sizes, total["shared"])


def weakest_pupils(campaign, participations, limit):
    """`frames.pupil_priorities` of the `limit` pupils with the fewest pix among those who sent results."""
    shared = participations.filter(status=STATUS.SHARED).annotate(shown_last_name=shown_last_name())
    order = ["pix", "shown_last_name", "pupil__first_name", "pupil__division__name", "id"]
    ids = list(shared.order_by(*order).values_list("id", flat=True)[:limit])
    if not ids:
        return []
    return pupil_priorities(campaign_results(campaign, Participation.objects.filter(id__in=ids)), pupils=limit)


def analysis_tab(campaign, participations, school, stats=None):
    stats = stats or VisibleStats(campaign, participations)
    competences = ordered_competences(campaign)
    analysis = resources_for_needs(school, tube_analysis(stats, competences))
    needs = [a for a in analysis if a["label"]]
    priorities = weakest_pupils(campaign, participations, PRIORITY_ROWS)
    return {
        "shared_count": stats.total["shared"],
        "per_competence": competence_profile(stats, competences),
        "level_range": level_range(),
        "needs": needs,
        "needs_shown": needs[:FOLD_ROWS],
        "needs_folded": needs[FOLD_ROWS:],
        "priorities": priorities,
        "priorities_shown": priorities[:FOLD_ROWS],
        "priorities_folded": priorities[FOLD_ROWS:],
        "priority_rows": PRIORITY_ROWS,
    }
