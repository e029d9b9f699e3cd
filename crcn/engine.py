"""Adaptive positioning engine (our own take on Pix's "smart random"), pure Python.

Plain data in, plain data out: a `Bank` built once from `SkillInfo` and `ChallengeInfo` lists,
the pupil's answers as `AnswerInfo` (a "Je passe" is a wrong answer), a seed.

Knowledge from the answers (Pix's rule, per tube): a right answer validates the skill and the easier
skills of its tube; a wrong one invalidates the skill and the harder ones. A skill answered directly keeps
its own outcome; among inferred outcomes the latest answer wins. A decided skill is never asked again.

Ability: a posterior over a grid of 32 abilities in (0, 8) (k + 1/8, k + 3/8, ... per level k, finer
than Pix's 0.5..7.5), with Pix's response model p = 1 / (1 + e^-(ability - difficulty)) (slope 1, not fitted
to our simulation's slope 2), fitted on the competence's direct answers only (inferred outcomes are not
observations). A level band k holds the abilities in [k, k + 1); the bands from `max_level` up are merged,
since the level is capped. The prior is flat over the reported levels: bands 0 .. max_level - 1 and the
merged top band weigh the same (a prior flat over abilities would give the top band 3/8 and push level-4
pupils to 5).

Choosing, per competence (in the order given, one at a time):
- the first question of a competence is of level 2 (the nearest level available), from the easiest tubes
  (lowest top level);
- then the difficulty whose answer is expected to remove the most uncertainty about the level band
  (expected reduction of the band posterior's entropy); among the skills of that difficulty, the one
  deciding the most skills of its tube in expectation (p × easier undecided + (1 - p) × harder undecided),
  then the easiest tube, then a seeded draw; then one of the skill's challenges, drawn with the seed.
- a competence is finished when no undecided skill with an active challenge is left, when the most
  probable band reaches `STOP_CONFIDENCE`, when no answer can bring `MIN_GAIN` bits any more, or after
  `MAX_QUESTIONS` answers.

Results (crcn.scoring rules): pix = floor(sum of the pix of the validated skills), capped by `max_level`;
level from pix. Inferred knowledge, once a competence is finished with at least one answer: its most
probable band k is taken as the level estimate and every skill of difficulty <= k is validated, even one
failed directly or invalidated by its tube (a slip at a level the whole set of answers places the pupil
above: a pupil fails 1 in 4 of the questions of their own level); skills above k keep their answered
outcome (validated only by a right answer in their tube). The failed skills so validated are listed in
`CompetenceResult.slip_skill_ids`, so nothing is hidden. Unfinished competences get direct knowledge only.
Measured with `simulate_positioning --pupils 500 --seed 1` on the shipped bank (docs/benchmarks.md), exact
level: 0.716 with this rule, 0.667 when directly failed skills stay out of the inference, 0.664 when every
invalidated skill does, 0.566 without inference; a MAP knowing the simulator's true model, on the same
answers, reaches 0.752.

Deterministic: every draw uses `random.Random(f"{seed}:{number of answers}")`, never the global generator.
"""

import math
import random
from dataclasses import dataclass

from crcn.scoring import DEFAULT_MAX_REACHABLE_LEVEL, HIGHEST_LEVEL, competence_pix, level_from_pix

COMPETENCE_CODES = (
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1",
    "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2",
)  # fmt: skip

START_LEVEL = 2
DISCRIMINATION = 1.0
GRID_POINTS_PER_LEVEL = 4
GRID = tuple(k + (j + 0.5) / GRID_POINTS_PER_LEVEL for k in range(HIGHEST_LEVEL) for j in range(GRID_POINTS_PER_LEVEL))
STOP_CONFIDENCE = 0.8
MIN_GAIN = 0.02
MAX_QUESTIONS = 8


@dataclass(frozen=True)
class SkillInfo:
    id: int
    competence: str
    tube: str
    level: int
    pix: float


@dataclass(frozen=True)
class ChallengeInfo:
    id: int
    skill_id: int


@dataclass(frozen=True)
class AnswerInfo:
    challenge_id: int
    skill_id: int
    correct: bool


@dataclass(frozen=True)
class CompetenceResult:
    validated_skill_ids: frozenset
    invalidated_skill_ids: frozenset
    pix: int
    level: int
    answered: int
    finished: bool
    # Skills failed (directly or through their tube) that the final estimate validates nonetheless.
    slip_skill_ids: frozenset = frozenset()

    @property
    def tested_skill_ids(self):
        """The skills the pupil was assessed on, answered or inferred: the validated ones are among them."""
        return self.validated_skill_ids | self.invalidated_skill_ids


def _logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


class Bank:
    """Skills and challenges indexed once: per competence, per tube (sorted by level), per skill."""

    def __init__(self, skills, challenges):
        self.skills = {s.id: s for s in skills}
        by_skill = {}
        for challenge in sorted(challenges, key=lambda c: c.id):
            if challenge.skill_id in self.skills:
                by_skill.setdefault(challenge.skill_id, []).append(challenge)
        self.challenges_of = {skill_id: tuple(found) for skill_id, found in by_skill.items()}

        tubes = {}
        for skill in sorted(self.skills.values(), key=lambda s: (s.level, s.id)):
            tubes.setdefault((skill.competence, skill.tube), []).append(skill.id)
        self.tubes = {key: tuple(ids) for key, ids in tubes.items()}
        # (tube key, position in the tube) of each skill; the tube's ease = its top level.
        self.place = {sid: (key, i) for key, ids in self.tubes.items() for i, sid in enumerate(ids)}
        self.tube_top = {key: self.skills[ids[-1]].level for key, ids in self.tubes.items()}

        by_competence = {}
        for skill in sorted(self.skills.values(), key=lambda s: (s.level, s.tube, s.id)):
            by_competence.setdefault(skill.competence, []).append(skill.id)
        self.skills_of = {code: tuple(ids) for code, ids in by_competence.items()}
        self.askable_of = {
            code: tuple(sid for sid in ids if sid in self.challenges_of) for code, ids in by_competence.items()
        }
        self.competences = tuple(sorted(self.skills_of, key=lambda code: tuple(int(p) for p in code.split("."))))

        levels = {s.level for s in self.skills.values()}
        self.log_right = {d: tuple(math.log(_logistic(DISCRIMINATION * (g - d))) for g in GRID) for d in levels}
        self.log_wrong = {d: tuple(math.log(1.0 - _logistic(DISCRIMINATION * (g - d))) for g in GRID) for d in levels}
        self.p_right = {d: tuple(_logistic(DISCRIMINATION * (g - d)) for g in GRID) for d in levels}

    def __len__(self):
        return sum(len(found) for found in self.challenges_of.values())


def _bands(max_level):
    return tuple(min(int(g), max_level) for g in GRID)


_BANDS = {level: _bands(level) for level in range(1, HIGHEST_LEVEL + 1)}


def _log_prior(max_level):
    """Flat over the reported levels: each band 0..max_level - 1 and the merged top band weigh the same."""
    bands = _BANDS[max_level]
    sizes = {band: bands.count(band) for band in set(bands)}
    return tuple(-math.log(sizes[band]) for band in bands)


_LOG_PRIOR = {level: _log_prior(level) for level in range(1, HIGHEST_LEVEL + 1)}


def _band_probabilities(weights, bands, size):
    probabilities = [0.0] * size
    for weight, band in zip(weights, bands, strict=True):
        probabilities[band] += weight
    total = sum(probabilities)
    return [p / total for p in probabilities]


def _entropy(probabilities):
    return -sum(p * math.log2(p) for p in probabilities if p > 0.0)


class _CompetenceState:
    """What the answers of one competence tell: decided skills, ability posterior, what is left to ask."""

    def __init__(self, bank, code, answers, max_level, max_questions):
        self.bank = bank
        self.max_questions = max_questions
        self.code = code
        self.max_level = max_level
        self.answered = []
        self.status = {}  # skill id -> True (validated) / False (invalidated)
        direct = {}
        log_post = list(_LOG_PRIOR[max_level])
        for answer in answers:
            skill = bank.skills[answer.skill_id]
            if answer.skill_id not in direct:
                self.answered.append(answer.skill_id)
            direct[answer.skill_id] = answer.correct
            table = bank.log_right[skill.level] if answer.correct else bank.log_wrong[skill.level]
            log_post = [a + b for a, b in zip(log_post, table, strict=True)]
            key, position = bank.place[answer.skill_id]
            tube = bank.tubes[key]
            inferred = tube[: position + 1] if answer.correct else tube[position:]
            for sid in inferred:
                if sid not in direct or sid == answer.skill_id:
                    self.status[sid] = answer.correct
        top = max(log_post)
        weights = [math.exp(v - top) for v in log_post]
        total = sum(weights)
        self.posterior = [w / total for w in weights]
        self.bands = _BANDS[max_level]
        self.band_probabilities = _band_probabilities(self.posterior, self.bands, max_level + 1)
        self.candidates = [sid for sid in bank.askable_of.get(code, ()) if sid not in self.status]
        self._gains = None

    @property
    def estimated_band(self):
        probabilities = self.band_probabilities
        return max(range(len(probabilities)), key=lambda band: (probabilities[band], -band))

    def p_right(self, difficulty):
        return sum(w * p for w, p in zip(self.posterior, self.bank.p_right[difficulty], strict=True))

    def gains(self):
        """Expected entropy reduction (bits) of the band posterior, per difficulty still askable."""
        if self._gains is None:
            size = self.max_level + 1
            current = _entropy(self.band_probabilities)
            self._gains = {}
            for difficulty in sorted({self.bank.skills[sid].level for sid in self.candidates}):
                table = self.bank.p_right[difficulty]
                right = [w * p for w, p in zip(self.posterior, table, strict=True)]
                wrong = [w - r for w, r in zip(self.posterior, right, strict=True)]
                p = sum(right)
                expected = p * _entropy(_band_probabilities(right, self.bands, size)) if p > 1e-12 else 0.0
                if p < 1.0 - 1e-12:
                    expected += (1.0 - p) * _entropy(_band_probabilities(wrong, self.bands, size))
                self._gains[difficulty] = current - expected
        return self._gains

    @property
    def finished(self):
        if not self.candidates or len(self.answered) >= self.max_questions:
            return True
        if not self.answered:
            return False
        if max(self.band_probabilities) >= STOP_CONFIDENCE:
            return True
        return max(self.gains().values()) < MIN_GAIN

    def choose_skill(self, rng):
        bank = self.bank
        if not self.answered:
            levels = {bank.skills[sid].level for sid in self.candidates}
            difficulty = min(levels, key=lambda d: (abs(d - START_LEVEL), d))
            pool = [sid for sid in self.candidates if bank.skills[sid].level == difficulty]
            easiest = min(bank.tube_top[bank.place[sid][0]] for sid in pool)
            pool = [sid for sid in pool if bank.tube_top[bank.place[sid][0]] == easiest]
            return rng.choice(sorted(pool))
        gains = self.gains()
        best = max(gains.values())
        difficulty = min(d for d, gain in gains.items() if gain >= best - 1e-9)
        p = self.p_right(difficulty)

        def reward(sid):
            key, position = bank.place[sid]
            tube = bank.tubes[key]
            easier = sum(1 for other in tube[: position + 1] if other not in self.status)
            harder = sum(1 for other in tube[position:] if other not in self.status)
            return p * easier + (1.0 - p) * harder

        pool = [sid for sid in self.candidates if bank.skills[sid].level == difficulty]
        most = max(reward(sid) for sid in pool)
        pool = [sid for sid in pool if reward(sid) >= most - 1e-9]
        easiest = min(bank.tube_top[bank.place[sid][0]] for sid in pool)
        pool = [sid for sid in pool if bank.tube_top[bank.place[sid][0]] == easiest]
        return rng.choice(sorted(pool))


def _answers_by_competence(bank, answers):
    grouped = {}
    for answer in answers:
        skill = bank.skills.get(answer.skill_id)
        if skill is not None:
            grouped.setdefault(skill.competence, []).append(answer)
    return grouped


def next_challenge(
    bank, competences, answers, seed, *, max_level=DEFAULT_MAX_REACHABLE_LEVEL, max_questions=MAX_QUESTIONS
):
    """The next challenge to ask, or None when every competence of `competences` is finished."""
    grouped = _answers_by_competence(bank, answers)
    rng = random.Random(f"{seed}:{len(answers)}")
    for code in competences:
        state = _CompetenceState(bank, code, grouped.get(code, ()), max_level, max_questions)
        if state.finished:
            continue
        skill_id = state.choose_skill(rng)
        return rng.choice(bank.challenges_of[skill_id])
    return None


def competence_results(
    bank, competences, answers, max_level=DEFAULT_MAX_REACHABLE_LEVEL, *, max_questions=MAX_QUESTIONS
):
    """{competence code: CompetenceResult} for each code of `competences`."""
    grouped = _answers_by_competence(bank, answers)
    results = {}
    for code in competences:
        state = _CompetenceState(bank, code, grouped.get(code, ()), max_level, max_questions)
        validated = {sid for sid, ok in state.status.items() if ok}
        invalidated = {sid for sid, ok in state.status.items() if not ok}
        finished = state.finished
        if finished and state.answered:
            band = state.estimated_band
            inferred = {sid for sid in bank.skills_of.get(code, ()) if bank.skills[sid].level <= band}
            slips = invalidated & inferred
            validated |= inferred
            invalidated -= inferred
        else:
            slips = set()
        earned = round(math.fsum(bank.skills[sid].pix for sid in validated), 6)
        pix = competence_pix([earned], max_level)
        results[code] = CompetenceResult(
            validated_skill_ids=frozenset(validated),
            invalidated_skill_ids=frozenset(invalidated),
            pix=pix,
            level=level_from_pix(pix, max_level),
            answered=len(state.answered),
            finished=finished,
            slip_skill_ids=frozenset(slips),
        )
    return results


def synthetic_bank(competences=COMPETENCE_CODES, tubes=3, levels=range(1, 7), challenges_per_skill=(1, 2)):
    """A bank of the shipped content's shape, for tests and benchmarks: `tubes` tubes of one skill a level
    in each competence, each skill worth 8 / tubes pix, with 1 or 2 challenges (cycling through
    `challenges_per_skill`)."""
    skills, challenges = [], []
    for code in competences:
        for t in range(tubes):
            for level in levels:
                skill = SkillInfo(len(skills) + 1, code, f"{code}-t{t + 1}", level, 8 / tubes)
                skills.append(skill)
                for _ in range(challenges_per_skill[(skill.id - 1) % len(challenges_per_skill)]):
                    challenges.append(ChallengeInfo(len(challenges) + 1, skill.id))
    return Bank(skills, challenges)
