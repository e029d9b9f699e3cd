"""What the campaign's tabs show: the views only read the request and render.

Each tab reads what it shows, whatever the number of participants: Activité and Analyse sum the campaign's
aggregates (`orga.campaigns.stats`) over the classes the reader sees; Résultats filters, sorts and cuts pages in
the database, then computes the figures of the page's rows only (`frames.campaign_results`); Analyse's pupils'
priorities read the weakest pupils only.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils.html import format_html, format_html_join

from crcn.levels import level_range
from documents.charts import bar_chart
from orga.campaigns.models import Answer, CompetenceResult, Participation
from orga.campaigns.stats import VisibleStats, participant_mastery, target_skills
from orga.classes.resources import resources_for_needs
from orga.pupils.folding import FoldedName

from .frames import expected_answers, profile_row, ranked_needs

PAGE_SIZE = 100
PRIORITY_ROWS = 100  # the pupils with the weakest results; every pupil is in the Excel export
FOLD_ROWS = 10  # rows of a long section shown before "Voir les N autres", the rest folded
DEFAULT_SORT = "classe"
LEVEL_CELL = '<span class="level level-{}">niv. {}</span> <span class="fr-text--xs">{} pix</span>'
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
    if query:  # without case or accents, "dorothee" finds "DOROTHÉE"
        full_name = Concat("shown_last_name", Value(" "), "pupil__first_name", output_field=CharField())
        # The school's pupils (all the campaign's are): else PostgreSQL may fold every pupil of the instance
        # before joining them to the campaign.
        rows = rows.filter(pupil__school_id=campaign.school_id).annotate(folded_name=FoldedName(full_name))
        rows = rows.filter(folded_name__contains=FoldedName(Value(query)))
    rows = rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])(), "id")
    paged = _page_of_ids(rows, page, windowed=bool(query))  # a searched name folded once, for the count and the page
    ids = list(paged.object_list)
    competences = ordered_competences(campaign)
    paged.object_list = _rows(campaign, ids, competences) if ids else []
    return ResultsPage(paged, divisions, division, status, query, sort, competences)


def _page_of_ids(rows, page, *, windowed):
    """The page of the ids of `rows` numbered `page` (as in the URL; not a number: the first, too far: the last).

    `windowed`: counted in the same query as its ids (a window count), for rows whose every filter is costly (a
    name searched is folded once, not twice). Otherwise counted apart: a window count would keep PostgreSQL from
    sorting only the page's top rows."""
    paginator = Paginator(rows.values_list("id", flat=True), PAGE_SIZE)
    if not windowed:
        return paginator.get_page(page)
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * PAGE_SIZE
    counted = list(rows.annotate(total=Window(Count("id"))).values_list("id", "total")[start : start + PAGE_SIZE])
    if not counted and number > 1:  # beyond the last page: Django's paginator counts and shows the last one
        return paginator.get_page(page)
    paginator.count = counted[0][1] if counted else 0  # its cached property, known already
    return Page([id_ for id_, _total in counted], number, paginator)


def _page_data(campaign, ids, competences):
    """What the rows of these participations show, read directly (no frame: they are at most a page):
    [(participation's values, {code: (level, pix, validated skills, Pix's ratio)})] in the order of `ids`."""
    values = (
        Participation.objects.filter(id__in=ids)
        .annotate(shown_last_name=shown_last_name(), answered=_answered())
        .values(
            "id", "shown_last_name", "pupil__first_name", "pupil__division__name", "status", "pix", "pix_mastery",
            "answered",
        )
    )  # fmt: skip
    by_id = {row["id"]: row for row in values}
    results = {}
    codes = [c.code for c in competences]
    for pid, code, level, pix, ids_, ratio in CompetenceResult.objects.filter(
        participation_id__in=ids, competence__code__in=codes
    ).values_list("participation_id", "competence__code", "level", "pix", "validated_skills", "pix_mastery"):
        results.setdefault(pid, {})[code] = (level, pix, ids_, ratio)
    return [(by_id[pid], results.get(pid, {})) for pid in ids if pid in by_id]


def _rows(campaign, ids, competences):
    """The table's rows of these participations, in this order: the figures of `frames.campaign_results`."""
    codes = [c.code for c in competences]
    targets = {code: set() for code in codes}
    for skill_id, (code, _tube, _level) in target_skills(codes).items():
        targets[code].add(skill_id)
    expected = expected_answers(len(codes))
    rows = []
    for values, results in _page_data(campaign, ids, competences):
        finished = values["status"] != STATUS.STARTED
        mastery_input = {code: (level, skills, ratio) for code, (level, _pix, skills, ratio) in results.items()}
        _per_code, mastery = participant_mastery(mastery_input, targets, values["pix_mastery"], finished)
        progress = 100 if finished else round(min(99, 100 * values["answered"] / expected))
        rows.append(
            {
                "name": f"{values['shown_last_name']} {values['pupil__first_name']}",
                "division": values["pupil__division__name"] or "",
                "status": values["status"],
                "status_label": STATUS(values["status"]).label,
                "progress": progress,
                "mastery": mastery,
                "pix": values["pix"],
                "cells": [  # (label shown on a phone, where each row is a card; (level, pix) or None)
                    (
                        f"{competence.code} {competence.title}",
                        results[competence.code][:2] if competence.code in results else None,
                    )
                    for competence in competences
                ],
            }
        )
        rows[-1]["cells_html"] = cells_html(rows[-1]["cells"])
    return rows


def cells_html(cells):
    """The row's competence cells, escaped: built here, as 16 cells × 100 rows cost the template engine more than
    the rest of the page together."""
    return format_html_join(
        "",
        '<td data-label="{}">{}</td>',
        (
            (
                label,
                format_html(LEVEL_CELL, cell[0], cell[0], cell[1]) if cell else "—",
            )
            for label, cell in cells
        ),
    )


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


def weakest_pupils(campaign, participations, limit, per_pupil=3):
    """`frames.pupil_priorities` of the `limit` pupils with the fewest pix among those who sent results: for each,
    the `per_pupil` competences of lowest level."""
    shared = participations.filter(status=STATUS.SHARED).annotate(shown_last_name=shown_last_name())
    order = ["pix", "shown_last_name", "pupil__first_name", "pupil__division__name", "id"]
    ids = list(shared.order_by(*order).values_list("id", flat=True)[:limit])
    competences = {c.code: c for c in ordered_competences(campaign)}
    priorities = []
    for values, results in _page_data(campaign, ids, list(competences.values())) if ids else []:
        ranked = sorted((level, code) for code, (level, *_rest) in results.items())[:per_pupil]
        priorities.append(
            {
                "participation_id": values["id"],
                "name": f"{values['shown_last_name']} {values['pupil__first_name']}",
                "division": values["pupil__division__name"] or "",
                "competences": [
                    {"competence": competences[code], "level": level} for level, code in ranked[:per_pupil]
                ],
            }
        )
    return priorities


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
