"""A campaign's results as tables (pandas): the pages, the exports and the class reports read these.

Every function runs a fixed number of SQL queries whatever the number of participants, then
computes in pandas. Mastery of a competence = validated skills / skills of that competence up
to the highest open level; progress of a started test = its answers over ~8 a competence.
"""

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count

from crcn.levels import level_range, max_reachable_level
from crcn.models import Tube, Tutorial
from documents.charts import bar_length
from orga.campaigns.models import CompetenceResult, Participation
from orga.campaigns.stats import target_skills
from orga.schools.permissions import classes_followed_by, sees_every_participant

QUESTIONS_PER_COMPETENCE = 8
NEED_LABELS = ("Très recommandé", "Recommandé", "Assez recommandé")


def participations_visible_to(campaign, user, membership):
    """Admins and the campaign's owner see every participant; another teacher, the pupils of their classes
    (and the owner too when the school restricts teachers to their assigned classes)."""
    participations = Participation.objects.current().filter(campaign=campaign)
    if sees_every_participant(user, membership, campaign.owner_id):
        return participations
    return participations.filter(classes_followed_by(user, membership, "pupil__division"))


@dataclass
class CampaignResults:
    campaign: object
    competences: list  # crcn Competence objects, in framework order
    frame: pd.DataFrame  # one row per participation
    # {(participation_id, competence code): (level, frozenset of validated skill ids)}, for the analysis
    validated: dict = field(default_factory=dict)
    # The target skills of `target_skills(codes, max_level)`, read once for the frame and the analysis
    skills: dict = field(default_factory=dict)

    @property
    def codes(self):
        return [c.code for c in self.competences]

    def shared(self):
        return self.frame[self.frame["status"] == Participation.Status.SHARED]

    def target_counts(self):
        """{competence code: its target skills}, every competence of the campaign included."""
        counts = Counter(code for code, _, _ in self.skills.values())
        return {code: counts.get(code, 0) for code in self.codes}


def expected_answers(competence_count):
    """The answers a whole test takes, roughly: what an unfinished test's progress is measured against."""
    return QUESTIONS_PER_COMPETENCE * max(competence_count, 1)


def campaign_results(campaign, participations=None, max_level=None):
    participations = (
        participations if participations is not None else Participation.objects.current().filter(campaign=campaign)
    )
    competences = sorted(campaign.competences.all(), key=lambda c: c.code)
    codes = [c.code for c in competences]
    rows = list(
        participations.annotate(answered=Count("answers")).values(
            "id",
            "pupil_id",
            "pupil__last_name",
            "pupil__preferred_last_name",
            "pupil__first_name",
            "pupil__division__name",
            "status",
            "created_at",
            "shared_at",
            "pix",
            "pix_mastery",
            "answered",
        )
    )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["id", "pupil_id", "status", "pix", "pix_mastery", "answered"])
    frame = frame.rename(
        columns={
            "id": "participation_id",
            "pupil__first_name": "first_name",
            "pupil__division__name": "division",
        }
    )
    if "pupil__last_name" in frame:
        frame["last_name"] = frame["pupil__preferred_last_name"].where(
            frame["pupil__preferred_last_name"] != "", frame["pupil__last_name"]
        )
        frame["family_name"] = frame["pupil__last_name"]  # the official name, as Pix's export writes it
        frame = frame.drop(columns=["pupil__last_name", "pupil__preferred_last_name"])
        frame["division"] = frame["division"].fillna("")

    skills = target_skills(codes, max_level)
    per_competence_target = pd.Series([c for c, _, _ in skills.values()]).value_counts().to_dict()
    results = pd.DataFrame(
        list(
            CompetenceResult.objects.filter(participation__in=participations).values(
                "participation_id",
                "competence__code",
                "level",
                "pix",
                "tested_skills",
                "validated_skills",
                "pix_mastery",
            )
        ),
        columns=[
            "participation_id",
            "competence__code",
            "level",
            "pix",
            "tested_skills",
            "validated_skills",
            "pix_mastery",
        ],
    )
    validated = {
        (pid, code): (level, frozenset(ids))
        for pid, code, level, ids in zip(
            results["participation_id"],
            results["competence__code"],
            results["level"],
            results["validated_skills"],
            strict=True,
        )
    }
    results["validated"] = results["validated_skills"].map(lambda ids: sum(1 for i in ids if i in skills))
    # Skills tested = answered or inferred, so they include the validated ones; results stored before that
    # counted questions answered instead, and are read as at least their validated skills.
    results["tested_skills"] = results["tested_skills"].clip(lower=results["validated_skills"].map(len))
    for code in codes:
        part = results[results["competence__code"] == code].set_index("participation_id")
        if frame.empty:
            for prefix in ("level", "pix", "tested", "validated", "mastery"):
                frame[f"{prefix}:{code}"] = []
            continue
        index = frame["participation_id"]
        frame[f"level:{code}"] = index.map(part["level"]).astype("Int64")
        frame[f"pix:{code}"] = index.map(part["pix"]).astype("Int64")
        frame[f"tested:{code}"] = index.map(part["tested_skills"]).astype("Int64")
        frame[f"validated:{code}"] = index.map(part["validated"]).astype("Int64")
        # Results imported from Pix keep Pix's own ratio; the skills they validated are not in Pix's export, so
        # they count as that share of this campaign's target skills (the Pix-format CSV reads the ratio back).
        imported = index.map(part["pix_mastery"]).astype("Float64")
        estimate = (imported * per_competence_target.get(code, 0)).round().astype("Int64")
        frame[f"validated:{code}"] = estimate.fillna(frame[f"validated:{code}"])
        total = per_competence_target.get(code, 0) or 1
        frame[f"mastery:{code}"] = (100 * frame[f"validated:{code}"] / total).round().astype("Int64")
        frame[f"mastery:{code}"] = (100 * imported).round().astype("Int64").fillna(frame[f"mastery:{code}"])
    if not frame.empty:
        finished = frame["status"] != Participation.Status.STARTED
        expected = expected_answers(len(codes))
        frame["progress"] = (
            (100 * frame["answered"] / expected).clip(upper=99).round().astype(int).where(~finished, 100)
        )
        validated_cols = [f"validated:{c}" for c in codes]
        target_total = sum(per_competence_target.get(c, 0) for c in codes) or 1
        frame["mastery"] = (100 * frame[validated_cols].sum(axis=1, min_count=1) / target_total).round().astype("Int64")
        imported = (100 * frame["pix_mastery"].astype("Float64")).round().astype("Int64")
        frame["mastery"] = imported.fillna(frame["mastery"]).where(finished)
        frame = frame.sort_values(["division", "last_name", "first_name"], kind="stable").reset_index(drop=True)
    frame = frame.drop(columns=["pix_mastery"], errors="ignore")
    return CampaignResults(campaign=campaign, competences=competences, frame=frame, validated=validated, skills=skills)


# --- Analysis ------------------------------------------------------------------------------------


def competence_profile(results):
    """Per competence, over the participants who sent their results (the Analyse tab, the exports): see
    `profile_row`."""
    shared = results.shared()
    profile = []
    for competence in results.competences:
        code = competence.code
        levels = shared[f"level:{code}"].dropna().astype(int) if not shared.empty else pd.Series([])
        mastery = shared[f"mastery:{code}"].dropna() if not shared.empty else pd.Series([])
        profile.append(profile_row(competence, Counter(levels.tolist()), int(mastery.sum()), len(mastery)))
    return profile


def profile_row(competence, levels, mastery_sum, mastery_count):
    """One competence's row from {level: pupils} and the pupils' masteries summed: count, mean level (1 decimal),
    mean mastery, the number and share of pupils at each level 0..max, and the mean level as a percent of the
    scale (its bar)."""
    buckets, max_level = level_range(), max_reachable_level()
    count = sum(levels.values())
    counts = [levels.get(level, 0) for level in buckets]
    mean = sum(level * n for level, n in levels.items()) / count if count else None
    return {
        "competence": competence,
        "count": count,
        "mean_level": round(mean, 1) if count else None,
        "mastery": round(mastery_sum / mastery_count) if count and mastery_count else None,
        "counts": counts,
        "shares": [c / count if count else None for c in counts],
        "percent": bar_length(mean, max_level, 100, whole=True) or 0,
    }


def tube_analysis(results):
    """Per tube: mastery among those who sent results, and the collective training need, ranked.

    A pupil needs a tube when its next skill above the pupil's level in that competence is not
    validated: that is what the pupil should learn next. (`orga.campaigns.stats` keeps the same counts
    per class; `ranked_needs` turns either into the analysis.)
    """
    shared_ids = list(results.shared()["participation_id"])
    tube_skills = {}
    for skill_id, (code, tube_id, level) in results.skills.items():
        tube_skills.setdefault(tube_id, (code, {}))[1][level] = skill_id
    counts, sizes = {}, {}
    for tube_id, (code, by_level) in tube_skills.items():
        all_skills = frozenset(by_level.values())
        mastered, needing, next_levels = 0, 0, Counter()
        for participation_id in shared_ids:
            level, done = results.validated.get((participation_id, code), (0, frozenset()))
            mastered += len(all_skills & done)
            next_skill = by_level.get(level + 1)
            if next_skill is not None and next_skill not in done:
                needing += 1
                next_levels[level + 1] += 1
        counts[tube_id], sizes[tube_id] = (mastered, needing, next_levels), len(all_skills)
    return ranked_needs(results.codes, counts, sizes, len(shared_ids))


def ranked_needs(codes, counts, sizes, count):
    """The analysis of the tubes of these competences: `counts` {tube id: (skills mastered summed over the pupils,
    pupils who need the tube, {next level: pupils})}, `sizes` {tube id: its target skills}, over `count` pupils.

    The need's weight is the share of pupils who need the tube; tubes are ranked by weight and labelled by
    thirds of that ranking. Its level: the one most of those pupils should reach next (the lowest on a tie).
    """
    tubes = {t.id: t for t in Tube.objects.filter(competence__code__in=codes).select_related("competence")}
    analysis = []
    for tube_id, (mastered, needing, next_levels) in counts.items():
        tube = tubes[tube_id]
        weight = needing / count if count else 0.0
        analysis.append(
            {
                "tube": tube,
                "competence": tube.competence,
                "mastery": round(100 * mastered / (count * sizes[tube_id])) if count else None,
                "pupils_in_need": needing,
                "weight": weight,
                # The level most of those pupils should reach next: resources are matched on it.
                "level": min(next_levels, key=lambda level: (-next_levels[level], level)) if next_levels else None,
            }
        )
    analysis.sort(key=lambda a: (-a["weight"], a["competence"].code, a["tube"].title))
    needed = [a for a in analysis if a["weight"] > 0]
    for rank, item in enumerate(analysis):
        item["label"] = NEED_LABELS[min(2, 3 * rank // max(len(needed), 1))] if item["weight"] > 0 else ""
    tutorials = {}
    for tutorial in Tutorial.objects.filter(tube_id__in=[a["tube"].id for a in analysis]).order_by("duration_minutes"):
        tutorials.setdefault(tutorial.tube_id, []).append(tutorial)
    for item in analysis:
        item["tutorials"] = tutorials.get(item["tube"].id, [])[:2]
    return analysis


def pupil_priorities(results, limit=3, pupils=None):
    """For pupils who sent results, weakest first: the competences to work first (lowest levels).

    `pupils`: how many to return at most (the pupils with the fewest pix first); None for all.
    """
    shared = results.shared()
    if shared.empty:
        return []
    shared = shared.sort_values(["pix", "last_name", "first_name"], kind="stable")
    if pupils is not None:
        shared = shared.head(pupils)
    competences = results.competences
    levels = shared[[f"level:{c.code}" for c in competences]].to_numpy(dtype="float", na_value=float("nan"))
    priorities = []
    for row_levels, pid, last, first, division in zip(
        levels,
        shared["participation_id"],
        shared["last_name"],
        shared["first_name"],
        shared["division"],
        strict=True,
    ):
        ranked = sorted(
            (int(level), competence.code, competence)
            for level, competence in zip(row_levels, competences, strict=True)
            if level == level  # not NaN
        )
        priorities.append(
            {
                "participation_id": pid,
                "name": f"{last} {first}",
                "division": division,
                "competences": [{"competence": c, "level": level} for level, _, c in ranked[:limit]],
            }
        )
    return priorities
