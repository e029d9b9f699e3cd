"""Certification test engine (our own take on Pix's certification v3, "flash"), pure Python.

Plain data in, plain data out: the engine's `Bank` (crcn.engine) and the candidate's answers as `AnswerInfo`
(a "Je passe" is a wrong answer), a seed. Every draw uses `random.Random(f"{seed}:{number of answers}")`,
never the global generator: the same seed and answers give the same question.

Item model: two parameters (difficulty b, discrimination a), P(right | θ) = 1 / (1 + e^-a(θ - b)).
- The capacity θ is on Pix's scale, 81 points in [-9, 9]. It maps onto our levels by θ = 2 (ability - 4):
  ability 4 (the middle of levels 0-8) is θ = 0 and the grid spans abilities -0.5 to 8.5, a step of 0.11 level.
  As in the positioning engine, an ability in [k, k + 1) is level k.
- Difficulty of a challenge: its skill's level, on that scale, b = 2 (level - 4). A skill of level d is the one
  a pupil "of level d" has just reached, so half of the answers right at ability d.
- Discrimination: the same for every challenge, 1 per level (a = 0.5 on θ), Pix's slope of the positioning
  (crcn.engine): nothing calibrated yet from real answers says a challenge tells levels apart better than
  another. With one discrimination, P(1-P)·a² picks the difficulty nearest the capacity; a (too) low slope
  only makes the estimate more cautious (wider posterior), never biased in direction.
- Prior: Gaussian, centred on the middle of the open levels (ability (max_level + 1) / 2, 3 by default), with
  a standard deviation of half that range: weak, it only steadies the first answers. Estimate: EAP (the
  posterior mean on the grid), with its standard deviation.

Choosing the next question:
- content balancing: each competence gets at most ceil(questions / competences) questions (2 each for
  32 questions and 16 competences), and once the questions left are no more than the competences never asked,
  only those are eligible: every competence is asked at least once;
- never the same skill twice (so never the same challenge twice);
- information P(1-P)·a² at the current estimate, for every eligible challenge;
- exposure control, "randomesque": one of the `EXPOSURE_POOL` most informative challenges, drawn with the seed
  (ties, frequent since a level holds many challenges, are broken by the same draw). Two candidates of the same
  level thus share few questions (`simulate_certification` measures the overlap).

Scoring (`score`):
- pix score = 128 × (ability - 1/2), from the capacity's EAP: 16 competences × 8 pix a level; the ability of
  a pupil of level k spans [k, k + 1), so k + 1/2 on average is worth 8k pix a competence. Rounded down,
  capped at 0 and at 16 × 8 × max_level (640 at level 5, 1024 at level 8).
- band of the 2024 certificate: crcn.scoring.certification_level, never above `max_level`.
- level per competence: the EAP of the competence's own ability, with the global capacity as prior (mean: the
  global EAP; spread: the global posterior's, plus `COMPETENCE_SPREAD` level for how far one competence may
  stand from the others) and the competence's answers (two, usually) as evidence; the level is that
  ability rounded down, capped by `max_level`. A competence never asked gets the global level.
- status: fewer than `MIN_ANSWERS` answers → "rejected" (Non obtenue) when the cause is the candidate (or no
  cause is given: time over, a test left), "cancelled" when it is technical; else "validated". A rejected or
  cancelled certification has a score of 0, band 0 and no competence level.
"""

import math
import random
from dataclasses import dataclass, field

from crcn.scoring import (
    COMPETENCE_COUNT,
    DEFAULT_MAX_REACHABLE_LEVEL,
    PIX_PER_LEVEL,
    certification_level,
    max_total_pix,
)

QUESTIONS = 32
MIN_ANSWERS = 20
GRID = tuple(-9.0 + 18.0 * i / 80 for i in range(81))
THETA_PER_LEVEL = 2.0
MIDDLE_ABILITY = 4.0
DISCRIMINATION = 1.0 / THETA_PER_LEVEL  # 1 per level
EXPOSURE_POOL = 24
COMPETENCE_SPREAD = 1.0  # in levels

VALIDATED, REJECTED, CANCELLED = "validated", "rejected", "cancelled"
STATUS_LABELS = {VALIDATED: "Validée", REJECTED: "Non obtenue", CANCELLED: "Annulée"}
CANDIDATE, TECHNICAL = "candidate", "technical"


def theta_of(ability):
    return THETA_PER_LEVEL * (ability - MIDDLE_ABILITY)


def ability_of(theta):
    return theta / THETA_PER_LEVEL + MIDDLE_ABILITY


def difficulty(level):
    """Item difficulty b on the capacity scale, from the skill's level."""
    return theta_of(level)


def p_right(theta, level, a=None):
    a = DISCRIMINATION if a is None else a
    return 1.0 / (1.0 + math.exp(-a * (theta - difficulty(level))))


def information(theta, level, a=None):
    a = DISCRIMINATION if a is None else a
    p = p_right(theta, level, a)
    return p * (1.0 - p) * a * a


def _log_prior(mean_theta, sd_theta):
    return [-0.5 * ((t - mean_theta) / sd_theta) ** 2 for t in GRID]


def _posterior(log_weights, answers, skills):
    for answer in answers:
        level = skills[answer.skill_id].level
        for i, t in enumerate(GRID):
            p = p_right(t, level)
            log_weights[i] += math.log(p if answer.correct else 1.0 - p)
    top = max(log_weights)
    weights = [math.exp(w - top) for w in log_weights]
    total = sum(weights)
    weights = [w / total for w in weights]
    mean = sum(w * t for w, t in zip(weights, GRID, strict=True))
    variance = sum(w * (t - mean) ** 2 for w, t in zip(weights, GRID, strict=True))
    return mean, math.sqrt(variance)


def _known(bank, answers):
    return [answer for answer in answers if answer.skill_id in bank.skills]


def capacity(bank, answers, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """(EAP, posterior standard deviation) of the capacity θ after `answers`."""
    middle = (max_level + 1) / 2
    log_weights = _log_prior(theta_of(middle), THETA_PER_LEVEL * middle)
    return _posterior(log_weights, _known(bank, answers), bank.skills)


def _quota(bank, questions):
    return math.ceil(questions / len(bank.competences)) if bank.competences else 0


def next_challenge(bank, answers, seed, *, max_level=DEFAULT_MAX_REACHABLE_LEVEL, questions=QUESTIONS):
    """The next challenge of the certification test, or None when it is over (`questions` answers, or nothing
    left to ask)."""
    answers = list(answers)
    if len(answers) >= questions:
        return None
    asked_skills = {answer.skill_id for answer in answers}
    asked = dict.fromkeys(bank.competences, 0)
    for answer in _known(bank, answers):
        asked[bank.skills[answer.skill_id].competence] += 1
    quota = _quota(bank, questions)
    eligible = {code for code, count in asked.items() if count < quota and bank.askable_of.get(code)}
    never = {code for code in eligible if asked[code] == 0}
    if never and questions - len(answers) <= len(never):
        eligible = never
    theta, _ = capacity(bank, answers, max_level)
    rng = random.Random(f"{seed}:{len(answers)}")
    ranked = []
    for code in sorted(eligible):
        for skill_id in bank.askable_of[code]:
            if skill_id in asked_skills:
                continue
            info = information(theta, bank.skills[skill_id].level)
            for challenge in bank.challenges_of[skill_id]:
                ranked.append((-round(info, 12), rng.random(), challenge))
    if not ranked:
        return None
    ranked.sort(key=lambda row: row[:2])
    pool = [row[2] for row in ranked[:EXPOSURE_POOL]]
    return rng.choice(pool)


@dataclass(frozen=True)
class CertificationResult:
    status: str
    answered: int
    capacity: float
    capacity_sd: float
    pix_score: int
    level: int  # band of the 2024 certificate, 0 ("-") to 8
    label: str
    competence_levels: dict = field(default_factory=dict)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def pix_score(theta, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """The global pix score of a capacity: 128 × (ability - 1/2), rounded down, within [0, max total]."""
    raw = COMPETENCE_COUNT * PIX_PER_LEVEL * (ability_of(theta) - 0.5)
    return max(0, min(math.floor(raw), max_total_pix(max_level)))


def competence_level(bank, answers, theta, theta_sd, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """A competence's level: its own ability's EAP, the global capacity as prior, its answers as evidence."""
    sd = math.hypot(theta_sd, THETA_PER_LEVEL * COMPETENCE_SPREAD)
    mean, _ = _posterior(_log_prior(theta, sd), _known(bank, answers), bank.skills)
    return max(0, min(math.floor(ability_of(mean)), max_level))


def score(bank, answers, *, max_level=DEFAULT_MAX_REACHABLE_LEVEL, abort_reason=None):
    """The certification's result after `answers`; `abort_reason` (CANDIDATE, TECHNICAL or None) says why a
    test stopped early."""
    answers = list(answers)
    theta, theta_sd = capacity(bank, answers, max_level)
    if len(answers) < MIN_ANSWERS:
        status = CANCELLED if abort_reason == TECHNICAL else REJECTED
        return CertificationResult(status, len(answers), theta, theta_sd, 0, 0, certification_level(0)[1])
    points = pix_score(theta, max_level)
    level, label = certification_level(points, max_level)
    by_competence = {code: [] for code in bank.competences}
    for answer in _known(bank, answers):
        by_competence[bank.skills[answer.skill_id].competence].append(answer)
    levels = {code: competence_level(bank, found, theta, theta_sd, max_level) for code, found in by_competence.items()}
    return CertificationResult(VALIDATED, len(answers), theta, theta_sd, points, level, label, levels)
