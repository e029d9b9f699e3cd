"""Where the exports read a campaign's results: a frame already in memory, or the database chunk by chunk.

Both give the same things: the campaign and its competences, the counts by status and the level profile of the
summary, and the results as `CampaignResults` chunks in the order a file lists them: the pages' order (class,
name) for the workbook, Pix's (family name, first name, latest first) for the Pix-format CSV. The database
source reads the summary from the campaign's aggregates and at most CHUNK participations at a time, so that a
file of any size is written without holding every participant.
"""

import pandas as pd
from django.db.models import Value
from django.db.models.functions import Coalesce

from crcn.levels import max_reachable_level
from orga.campaigns.models import Participation
from orga.campaigns.stats import VisibleStats, target_skills

from . import pix_csv
from .frames import CampaignResults, campaign_results, competence_profile
from .tabs import competence_profile as profile_of_stats
from .tabs import ordered_competences, shown_last_name

CHUNK = 500
PAGES, PIX = "pages", "pix"


def pix_order(frame):
    """The frame in Pix's order: family name, first name (case and accents ignored), latest first."""
    return frame.sort_values(
        ["family_name", "first_name", "created_at"],
        ascending=[True, True, False],
        key=lambda s: s.map(pix_csv.name_key) if s.name != "created_at" else s,
        kind="stable",
    )


class FrameSource:
    """Results in memory (a class, a test): one chunk."""

    def __init__(self, results):
        self.results = results
        self.campaign, self.competences = results.campaign, results.competences

    def status_counts(self):
        frame = self.results.frame
        return {s: int((frame["status"] == s).sum()) if not frame.empty else 0 for s in Participation.Status.values}

    def profile(self):
        return competence_profile(self.results)

    def targets(self):
        """A CampaignResults without participants, for what depends only on the profile (its target skills)."""
        return self.results

    def chunks(self, order=PAGES):
        if order == PIX and not self.results.frame.empty:
            results = self.results
            yield CampaignResults(
                results.campaign, results.competences, pix_order(results.frame), skills=results.skills
            )
        else:
            yield self.results

    def chunk_count(self):
        return 1


class DatabaseSource:
    """The participations a reader sees, read CHUNK at a time; the summary from the aggregates."""

    def __init__(self, campaign, participations):
        self.campaign, self.participations = campaign, participations
        self.competences = ordered_competences(campaign)
        self.max_level = max_reachable_level()
        self.stats = VisibleStats(campaign, participations)

    def status_counts(self):
        return dict(self.stats.total["statuses"])

    def profile(self):
        return profile_of_stats(self.stats, self.competences)

    def targets(self):
        codes = [c.code for c in self.competences]
        return CampaignResults(
            self.campaign, self.competences, pd.DataFrame(), skills=target_skills(codes, self.max_level)
        )

    def _ids(self, order):
        rows = self.participations.order_by()
        if order == PAGES:
            pages = (Coalesce("pupil__division__name", Value("")), "shown_last_name", "pupil__first_name", "id")
            return list(rows.annotate(shown_last_name=shown_last_name()).order_by(*pages).values_list("id", flat=True))
        # Pix's order, by the same key as `pix_order` (which Python computes, not the database), from the pages'.
        people = rows.values_list(
            "id", "pupil__division__name", "pupil__preferred_last_name", "pupil__last_name", "pupil__first_name",
            "created_at",
        )  # fmt: skip
        people = sorted(people, key=lambda p: (p[1] or "", p[2] or p[3], p[4], p[0]))
        people.sort(key=lambda p: p[5], reverse=True)
        people.sort(key=lambda p: (pix_csv.name_key(p[3]), pix_csv.name_key(p[4])))
        return [p[0] for p in people]

    def chunks(self, order=PAGES):
        ids = self._ids(order)
        self._count = -(-len(ids) // CHUNK)
        for start in range(0, len(ids), CHUNK):
            batch = ids[start : start + CHUNK]
            results = campaign_results(self.campaign, Participation.objects.filter(id__in=batch), self.max_level)
            frame = results.frame.set_index("participation_id").loc[batch].reset_index()
            yield CampaignResults(results.campaign, results.competences, frame, results.validated, results.skills)

    def chunk_count(self):
        return getattr(self, "_count", 1)
