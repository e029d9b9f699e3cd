"""What the campaign's tabs show, computed from the results frame: the views only read the request and render.

Activité: participants by status and class, a column chart of new participations per day. Résultats: the
participants filtered (class, status, name), sorted and cut into pages. Analyse: the level distribution per
competence, the collective training needs with the school's resources, the pupils' priorities.
"""

from dataclasses import dataclass

import pandas as pd
from django.core.paginator import Page, Paginator

from crcn.levels import level_range
from documents.charts import bar_chart
from orga.campaigns.models import Participation
from orga.classes.resources import resources_for_needs

from .frames import activity, competence_profile, pupil_priorities, tube_analysis

PAGE_SIZE = 100
PRIORITY_ROWS = 100  # the pupils with the weakest results; every pupil is in the Excel export
FOLD_ROWS = 10  # rows of a long section shown before "Voir les N autres", the rest folded
DEFAULT_SORT = "classe"
# ?tri= → (frame columns, first column ascending); the other columns break ties, ascending.
SORTS = {
    "nom": (["last_name", "first_name"], True),
    "classe": (["division", "last_name", "first_name"], True),
    "maitrise": (["mastery", "last_name"], False),
    "pix": (["pix", "last_name"], False),
    "progression": (["progress", "last_name"], False),
}


def activity_tab(results):
    data = activity(results)
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


def results_page(results, *, division="", status="", query="", sort=DEFAULT_SORT, page=None):
    """The participants of `division` (a class name) in `status`, whose name holds `query`, sorted by `sort`
    (a key of SORTS; another is the default sort), page number `page` (a string, as in the URL)."""
    frame = results.frame
    divisions = sorted(d for d in frame["division"].unique()) if not frame.empty else []
    query = query.strip()
    if not frame.empty:
        if division:
            frame = frame[frame["division"] == division]
        if status in Participation.Status.values:
            frame = frame[frame["status"] == status]
        if query:
            needle = query.lower()
            names = (frame["last_name"] + " " + frame["first_name"]).str.lower()
            frame = frame[names.str.contains(needle, regex=False)]
        columns, ascending = SORTS.get(sort, SORTS[DEFAULT_SORT])
        frame = frame.sort_values(
            columns, ascending=[ascending] + [True] * (len(columns) - 1), kind="stable", na_position="last"
        )
    codes = results.codes
    paged = Paginator(range(len(frame)), PAGE_SIZE).get_page(page)
    frame = frame.iloc[paged.start_index() - 1 : paged.end_index()] if len(frame) else frame
    paged.object_list = [
        {
            "name": f"{row.last_name} {row.first_name}",
            "division": row.division,
            "status": row.status,
            "status_label": Participation.Status(row.status).label,
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
        for row in _renamed(frame, codes).itertuples(index=False)
    ]
    return ResultsPage(paged, divisions, division, status, query, sort)


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


def analysis_tab(results, school):
    analysis = resources_for_needs(school, tube_analysis(results))
    needs = [a for a in analysis if a["label"]]
    priorities = pupil_priorities(results, pupils=PRIORITY_ROWS)
    return {
        "shared_count": len(results.shared()),
        "per_competence": competence_profile(results),
        "level_range": level_range(),
        "needs": needs,
        "needs_shown": needs[:FOLD_ROWS],
        "needs_folded": needs[FOLD_ROWS:],
        "priorities": priorities,
        "priorities_shown": priorities[:FOLD_ROWS],
        "priorities_folded": priorities[FOLD_ROWS:],
        "priority_rows": PRIORITY_ROWS,
    }
