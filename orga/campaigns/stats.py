"""A campaign's aggregates, kept class by class, so that its pages read what they show and not every participation.

`CampaignStats.data`, for the current participations of one campaign in one class:

    codes, max_level  the competences and the highest open level they were computed with
    statuses          {status: participations}
    days              {"YYYY-MM-DD": participations started that day, in Paris}
    shared            participations whose results were sent
    levels            {code: {level: pupils at that level}}, over the results sent
    mastery           {code: [sum of the pupils' mastery of the competence in percent, pupils]}, results sent
    tubes             {tube id: [skills of the tube mastered, summed over the pupils; pupils who need the tube;
                      {the level they should reach next: pupils}]}, results sent (the rule: `frames.tube_analysis`)
    tube_skills       {tube id: its target skills}

`record_results(participation)` recomputes the row of the participation's class under that row's lock, in the
transaction that stores the results: a class is a few dozen participations, so the cost is bounded and the row
exact, whatever the order in which pupils finish. `refresh_campaign(campaign)` rebuilds every row of a campaign
(the Pix import, the `refresh_campaign_stats` command). Both keep `CampaignTotal`, the sum of the class rows, in
step: `record_results` takes the class's old data away and adds the new (class row locked first, then the total),
so that a reader who sees every class reads one row, not one per class. Readers call `VisibleStats`: it checks
each row against the live counts by class and status (one grouped query) and computes in memory, without writing,
a row found out of date (a pupil moved to another class by a SIECLE import, results written without this module, a
changed highest level); the total serves only when it sums exactly the rows there are and each is up to date;
`refresh_campaign_stats` stores them again.
"""

from collections import Counter
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from crcn.levels import max_reachable_level
from crcn.models import Skill

from .models import CampaignStats, CampaignTotal, CompetenceResult, Participation

PARIS = ZoneInfo("Europe/Paris")
STATUS = Participation.Status


def target_skills(codes, max_level=None):
    """Active skills of these competences up to the highest open level: {skill_id: (competence, tube_id, level)}."""
    max_level = max_level or max_reachable_level()
    return {
        row["id"]: (row["tube__competence__code"], row["tube_id"], row["level"])
        for row in Skill.objects.filter(is_active=True, tube__competence__code__in=codes, level__lte=max_level).values(
            "id", "tube_id", "level", "tube__competence__code"
        )
    }


def campaign_codes(campaign):
    """The campaign's competence codes, sorted (from its prefetched competences when they are)."""
    return sorted(c.code for c in campaign.competences.all())


def participant_mastery(results, targets, pix_mastery, finished):
    """One participant's mastery in percent: ({code: mastery of that competence}, overall or None).

    `results`: {code: (level, validated skill ids, Pix's ratio or None)}; `targets`: {code: set of target skill
    ids}. Results imported from Pix keep Pix's ratios; the overall figure exists once the test is finished.
    The same figures as `frames.campaign_results` (rounded half to even, as pandas does).
    """
    validated, per_code = {}, {}
    for code, (_level, ids, ratio) in results.items():
        target = len(targets.get(code, ()))
        if ratio is not None:
            validated[code] = round(ratio * target)
            per_code[code] = round(100 * ratio)
        else:
            validated[code] = sum(1 for skill_id in ids if skill_id in targets.get(code, ()))
            per_code[code] = round(100 * validated[code] / (target or 1))
    overall = None
    if finished:
        if pix_mastery is not None:
            overall = round(100 * pix_mastery)
        elif validated:
            overall = round(100 * sum(validated.values()) / (sum(len(t) for t in targets.values()) or 1))
    return per_code, overall


def empty_data(codes, max_level, tube_skills=None):
    tube_skills = tube_skills or {}
    return {
        "codes": list(codes),
        "max_level": max_level,
        "statuses": dict.fromkeys(STATUS.values, 0),
        "days": {},
        "shared": 0,
        "levels": {code: {} for code in codes},
        "mastery": {code: [0, 0] for code in codes},
        "tubes": {tube: [0, 0, {}] for tube in tube_skills},
        "tube_skills": dict(tube_skills),
    }


def _add(counts, key, n=1):
    counts[key] = counts.get(key, 0) + n


def compute(campaign, participations, codes=None, max_level=None):
    """The data of each class of `participations` (current participations of `campaign`), from scratch:
    ({division id: data}, {participation id: overall mastery}). Three queries."""
    codes = codes if codes is not None else campaign_codes(campaign)
    max_level = max_level or max_reachable_level()
    targets = {code: set() for code in codes}
    tubes = {}  # tube id (str) → (code, {level: skill id})
    for skill_id, (code, tube_id, level) in target_skills(codes, max_level).items():
        targets[code].add(skill_id)
        tubes.setdefault(str(tube_id), (code, {}))[1][level] = skill_id
    tube_skills = {tube: len(by_level) for tube, (_, by_level) in tubes.items()}
    results = {}
    for pid, code, level, ids, ratio in CompetenceResult.objects.filter(
        participation__in=participations, competence__code__in=codes
    ).values_list("participation_id", "competence__code", "level", "validated_skills", "pix_mastery"):
        results.setdefault(pid, {})[code] = (level, ids, ratio)
    buckets, masteries = {}, {}
    rows = participations.order_by().values_list("id", "pupil__division_id", "status", "created_at", "pix_mastery")
    for pid, division_id, status, created_at, pix_mastery in rows:
        data = buckets.get(division_id)
        if data is None:
            data = buckets[division_id] = empty_data(codes, max_level, tube_skills)
        data["statuses"][status] += 1
        _add(data["days"], timezone.localtime(created_at, PARIS).date().isoformat())
        mine = results.get(pid, {})
        per_code, masteries[pid] = participant_mastery(mine, targets, pix_mastery, status != STATUS.STARTED)
        if status != STATUS.SHARED:
            continue
        data["shared"] += 1
        for code, (level, _ids, _ratio) in mine.items():
            _add(data["levels"][code], str(level))
            data["mastery"][code][0] += per_code[code]
            data["mastery"][code][1] += 1
        done = {code: set(ids) for code, (_level, ids, _ratio) in mine.items()}
        for tube, (code, by_level) in tubes.items():
            level = mine[code][0] if code in mine else 0
            validated = done.get(code, set())
            entry = data["tubes"][tube]
            entry[0] += sum(1 for skill_id in by_level.values() if skill_id in validated)
            next_skill = by_level.get(level + 1)
            if next_skill is not None and next_skill not in validated:
                entry[1] += 1
                _add(entry[2], str(level + 1))
    return buckets, masteries


def _combine(total, data, sign=1):
    """Add a class's `data` to `total`, or take it away (`sign` -1)."""
    for status, n in data["statuses"].items():
        _add(total["statuses"], status, sign * n)
    for day, n in data["days"].items():
        _add(total["days"], day, sign * n)
    total["shared"] += sign * data["shared"]
    for code in total["codes"]:
        for level, n in data["levels"].get(code, {}).items():
            _add(total["levels"][code], level, sign * n)
        mastery = data["mastery"].get(code, [0, 0])
        total["mastery"][code][0] += sign * mastery[0]
        total["mastery"][code][1] += sign * mastery[1]
    total["tube_skills"].update(data["tube_skills"])
    for tube, (mastered, needing, next_levels) in data["tubes"].items():
        entry = total["tubes"].setdefault(tube, [0, 0, {}])
        entry[0] += sign * mastered
        entry[1] += sign * needing
        for level, n in next_levels.items():
            _add(entry[2], level, sign * n)
    if sign < 0:  # a count back to nothing goes, as in a sum that never had it
        for counts in (total["days"], *total["levels"].values(), *(entry[2] for entry in total["tubes"].values())):
            for key in [key for key, n in counts.items() if n == 0]:
                del counts[key]


def summed(datas, codes, max_level):
    """The data of several classes added up."""
    total = empty_data(codes, max_level)
    for data in datas:
        _combine(total, data)
    return total


def _in_divisions(division_ids, field="pupil__division_id"):
    """Q of the rows in these classes, None standing for no class."""
    known = [d for d in division_ids if d is not None]
    q = Q(**{f"{field}__in": known})
    if None in division_ids:
        q |= Q(**{f"{field.removesuffix('_id')}__isnull": True})
    return q


def _same_basis(data, codes, max_level):
    return bool(data) and data.get("codes") == codes and data.get("max_level") == max_level


def _same_statuses(statuses, live):
    return all(statuses.get(status, 0) == live.get(status, 0) for status in STATUS.values)


def _is_fresh(data, live, codes, max_level):
    return _same_basis(data, codes, max_level) and _same_statuses(data["statuses"], live)


def _key(division_id):
    """A class's key in `CampaignTotal.parts` (JSON keys are strings)."""
    return "none" if division_id is None else str(division_id)


class VisibleStats:
    """The aggregates of the participations a reader sees: `per_class` [(class name, data)] sorted by name ("" for
    no class; from the campaign's total, data holds the statuses only), and `total`, their sum. Three queries when
    the reader sees every class of an up-to-date campaign, whatever its size; seven at most otherwise, whatever
    the number of participants."""

    def __init__(self, campaign, participations):
        codes, max_level = campaign_codes(campaign), max_reachable_level()
        live, names = {}, {}
        grouped = (
            participations.order_by()
            .values_list("pupil__division_id", "pupil__division__name", "status")
            .annotate(n=Count("id"))
        )
        for division_id, name, status, n in grouped:
            live.setdefault(division_id, Counter())[status] = n
            names[division_id] = name or ""
        self.codes, self.max_level, self.stale = codes, max_level, []
        self.from_total = self._read_total(campaign, live, names)
        if self.from_total:
            return
        stored = {}
        if live:
            rows = CampaignStats.objects.filter(_in_divisions(list(live), "division_id"), campaign=campaign)
            stored = dict(rows.values_list("division_id", "data"))
        stale = [d for d in live if not _is_fresh(stored.get(d), live[d], codes, max_level)]
        if stale:
            computed, _ = compute(campaign, participations.filter(_in_divisions(stale)), codes, max_level)
            stored.update(computed)
        self.stale = stale
        self.per_class = sorted(((names[d], stored[d]) for d in live), key=lambda item: item[0])
        self.total = summed([data for _, data in self.per_class], codes, max_level)

    def _read_total(self, campaign, live, names):
        """The campaign's total, when it sums exactly the class rows there are and the reader sees every
        participation they count (the live counts of each class are the row's): two queries, whatever the size."""
        versions = {
            _key(division_id): updated_at.isoformat()
            for division_id, updated_at in CampaignStats.objects.filter(campaign=campaign).values_list(
                "division_id", "updated_at"
            )
        }
        total = CampaignTotal.objects.filter(campaign=campaign).values_list("data", "parts").first()
        if not versions or total is None:
            return False
        data, parts = total
        if not _same_basis(data, self.codes, self.max_level) or {k: v[0] for k, v in parts.items()} != versions:
            return False
        seen = {_key(d): counts for d, counts in live.items()}
        if set(seen) - set(parts):
            return False
        if not all(_same_statuses(statuses, seen.get(key, {})) for key, (_version, statuses) in parts.items()):
            return False
        self.per_class = sorted(((names[d], {"statuses": parts[_key(d)][1]}) for d in live), key=lambda item: item[0])
        self.total = data
        return True


# --- Writing -------------------------------------------------------------------------------------


def _current(campaign_id):
    return Participation.objects.current().filter(campaign_id=campaign_id)


def _locked_total(campaign):
    CampaignTotal.objects.get_or_create(campaign=campaign)
    return CampaignTotal.objects.select_for_update().get(campaign=campaign)


def _rebuild_total(campaign, codes, max_level, total):
    """Sum every class row of the campaign into its `total` (locked); a total left empty when a row was computed
    on another basis (its readers sum the classes until `refresh_campaign`)."""
    rows = list(CampaignStats.objects.filter(campaign=campaign).values_list("division_id", "updated_at", "data"))
    if all(_same_basis(data, codes, max_level) for _d, _at, data in rows):
        total.data = summed([data for _d, _at, data in rows], codes, max_level)
        total.parts = {_key(d): [at.isoformat(), data["statuses"]] for d, at, data in rows}
    else:
        total.data, total.parts = {}, {}
    total.save()


def _update_total(campaign, codes, max_level, row, old_version, old_data):
    """The class row `row` changed from (`old_version`, `old_data`): take the old data away from the campaign's
    total and add the new, when the total summed exactly that old version; else sum every class again."""
    total = _locked_total(campaign)
    key = _key(row.division_id)
    part = total.parts.get(key)
    if not _same_basis(total.data, codes, max_level):
        consistent = False
    elif part is None:
        consistent = not old_data  # a class new to the campaign
    else:
        consistent = part[0] == old_version and _same_basis(old_data, codes, max_level)
    if not consistent:
        _rebuild_total(campaign, codes, max_level, total)
        return
    if part is not None:
        _combine(total.data, old_data, -1)
    _combine(total.data, row.data)
    total.parts[key] = [row.updated_at.isoformat(), row.data["statuses"]]
    total.save()


def record_results(participation):
    """Bring up to date the aggregates of the participation's class, the campaign's total, and store its mastery,
    after its results or its status were stored (call it inside that transaction: the class's row and the total
    stay locked until it commits, always in that order)."""
    division_id = participation.pupil.division_id
    campaign = participation.campaign
    with transaction.atomic():
        row, _ = CampaignStats.objects.get_or_create(campaign=campaign, division_id=division_id)
        row = CampaignStats.objects.select_for_update().get(pk=row.pk)
        old_version, old_data = row.updated_at.isoformat(), row.data
        codes, max_level = campaign_codes(campaign), max_reachable_level()
        participations = _current(campaign.id).filter(_in_divisions([division_id]))
        buckets, masteries = compute(campaign, participations, codes, max_level)
        row.data = buckets.get(division_id) or empty_data(codes, max_level)
        row.save(update_fields=["data", "updated_at"])
        _update_total(campaign, codes, max_level, row, old_version, old_data)
        # Only this participation's row: the others of the class may be locked by their own pupils' requests.
        mastery = masteries.get(participation.id)
        if participation.mastery != mastery:
            Participation.objects.filter(id=participation.id).update(mastery=mastery)
            participation.mastery = mastery


def refresh_campaign(campaign):
    """Rebuild every aggregate of the campaign, its total and every participation's mastery, from scratch."""
    with transaction.atomic():
        participations = _current(campaign.id)
        codes, max_level = campaign_codes(campaign), max_reachable_level()
        buckets, masteries = compute(campaign, participations, codes, max_level)
        CampaignStats.objects.filter(campaign=campaign).exclude(_in_divisions(list(buckets), "division_id")).delete()
        for division_id, data in buckets.items():
            CampaignStats.objects.update_or_create(campaign=campaign, division_id=division_id, defaults={"data": data})
        _rebuild_total(campaign, codes, max_level, _locked_total(campaign))
        changed = [
            Participation(id=pid, mastery=mastery)
            for pid, old in participations.values_list("id", "mastery")
            if old != (mastery := masteries.get(pid))
        ]
        Participation.objects.bulk_update(changed, ["mastery"], batch_size=1000)
    return len(buckets)
