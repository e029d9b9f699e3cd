"""Campaigns of the demo school, with participations in every status and realistic results.

Pupils answer through the real engine, with the response model of the simulation
(a pupil of true level L succeeds at difficulty d with probability 1/(1+e^(-2(L+0.5-d)))),
so that the teachers' pages show believable profiles. Deterministic: same seed, same school.
"""

import math
import random

from django.db import transaction
from django.utils import timezone

from crcn import engine
from crcn.levels import max_reachable_level
from crcn.presets import PRESETS_BY_CODE
from orga.campaigns.services import competence_codes, create_campaign, current_bank, store_results
from orga.models import Answer, Campaign, Participation

# name, owner's username, preset, target classes
DEMO_CAMPAIGNS = [
    ("Parcours de rentrée 3e", "c.moreau", "rentree-3e", ["3e A", "3e B"]),
    ("Parcours de rentrée 4e", "a.benali", "rentree-4e", ["4e A", "4e B"]),
    ("Protection et sécurité — 3e A", "c.moreau", "", ["3e A"]),
]
SECURITY = ("4.1", "4.2", "4.3")
# Out of 10 pupils of a class: 6 shared, 1 to share, 2 started, 1 not started.
STATUS_PATTERN = ["shared"] * 6 + ["to_share"] + ["started"] * 2 + [None]


def true_levels(rng, codes):
    base = rng.choice([1, 2, 2, 3, 3, 4])
    return {code: max(0, min(5, base + rng.choice([-1, 0, 0, 1]))) for code in codes}


def _simulate(bank, codes, seed, levels, rng, stop_after=None):
    answers = []
    while stop_after is None or len(answers) < stop_after:
        chosen = engine.next_challenge(bank, codes, answers, seed, max_level=max_reachable_level())
        if chosen is None:
            break
        skill = bank.skills[chosen.skill_id]
        p = 1 / (1 + math.exp(-2 * (levels[skill.competence] + 0.5 - skill.level)))
        answers.append(engine.AnswerInfo(chosen.id, chosen.skill_id, rng.random() < p))
    return answers


def _participation(campaign, pupil, status, bank, rng, now):
    codes = competence_codes(campaign)
    participation = Participation.objects.create(campaign=campaign, pupil=pupil, seed=f"demo-{pupil.ine}")
    stop_after = rng.randint(2, 6) if status == "started" else None
    answers = _simulate(bank, codes, participation.seed, true_levels(rng, codes), rng, stop_after)
    Answer.objects.bulk_create(
        [
            Answer(
                participation=participation,
                challenge_id=a.challenge_id,
                skill_id=a.skill_id,
                result="ok" if a.correct else "ko",
            )
            for a in answers
        ]
    )
    # Pupils started over the first weeks of the campaign, not all on the day the demo was seeded.
    started_at = now - timezone.timedelta(days=rng.randint(3, 24), minutes=rng.randint(0, 600))
    Participation.objects.filter(id=participation.id).update(created_at=started_at)
    participation.created_at = started_at
    if status == "started":
        return participation
    results = engine.competence_results(bank, codes, answers, max_reachable_level())
    store_results(participation, {c.code: c for c in campaign.competences.all()}, results)
    participation.finished_at = min(now, started_at + timezone.timedelta(minutes=rng.randint(25, 90)))
    participation.status = status
    if status == "shared":
        participation.shared_at = participation.finished_at
    participation.save()
    return participation


@transaction.atomic
def seed_campaigns(school, users_by_username, demo_pupil):
    """Create the demo campaigns once; later runs find them and change nothing.

    The demo pupil has sent the 3e results and has the security campaign still to take.
    """
    if Campaign.objects.filter(school=school).exists():
        return
    bank = current_bank()
    rng = random.Random(2026)
    now = timezone.now()
    for name, owner, preset, division_names in DEMO_CAMPAIGNS:
        divisions = list(school.divisions.filter(name__in=division_names))
        campaign = create_campaign(
            school=school,
            owner=users_by_username[owner],
            name=name,
            type=Campaign.Type.ASSESSMENT,
            preset=preset,
            competence_codes=PRESETS_BY_CODE[preset].competences if preset else SECURITY,
            divisions=divisions,
        )
        for division in divisions:
            for index, pupil in enumerate(division.pupils.filter(is_active=True).order_by("last_name", "first_name")):
                status = STATUS_PATTERN[index % len(STATUS_PATTERN)]
                if pupil == demo_pupil:
                    status = "shared" if preset else None
                if status:
                    _participation(campaign, pupil, status, bank, rng, now)
