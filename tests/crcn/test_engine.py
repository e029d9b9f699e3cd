"""The adaptive engine on synthetic banks (no database)."""

import ast
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from crcn import engine
from crcn.engine import AnswerInfo, Bank, ChallengeInfo, SkillInfo, competence_results, next_challenge

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bank():
    return engine.synthetic_bank()


def play(bank, competences, seed, answer):
    """Runs a whole test; `answer(skill)` says whether the pupil is right. Returns the answers."""
    answers = []
    while (challenge := next_challenge(bank, competences, answers, seed)) is not None:
        skill = bank.skills[challenge.skill_id]
        answers.append(AnswerInfo(challenge.id, skill.id, answer(skill)))
        assert len(answers) <= engine.MAX_QUESTIONS * len(competences)
    return answers


def simulated_pupil(levels, seed):
    rng = random.Random(seed)

    def answer(skill):
        return rng.random() < 1 / (1 + math.exp(-2 * (levels[skill.competence] + 0.5 - skill.level)))

    return answer


def test_module_imports_no_django():
    tree = ast.parse((ROOT / "crcn" / "engine.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "django" for name in imported)
    code = "import sys, crcn.engine; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("seed", [1, 2, "abc"])
def test_first_challenge_is_of_level_2_in_the_first_competence(bank, seed):
    challenge = next_challenge(bank, ["2.3", "1.1"], [], seed)
    skill = bank.skills[challenge.skill_id]
    assert (skill.competence, skill.level) == ("2.3", 2)
    assert challenge in bank.challenges_of[skill.id]


def test_first_challenge_comes_from_the_easiest_tubes():
    skills = [SkillInfo(1, "1.1", "hard", 2, 4.0), SkillInfo(2, "1.1", "hard", 6, 8.0)]
    skills += [SkillInfo(3, "1.1", "easy", 2, 4.0), SkillInfo(4, "1.1", "easy", 3, 8.0)]
    small = Bank(skills, [ChallengeInfo(10 + s.id, s.id) for s in skills])
    for seed in range(10):
        assert next_challenge(small, ["1.1"], [], seed).skill_id == 3


def test_first_challenge_takes_the_nearest_level_when_level_2_is_missing():
    skills = [SkillInfo(i, "1.1", "t", level, 8.0) for i, level in enumerate([1, 4, 5], start=1)]
    small = Bank(skills, [ChallengeInfo(s.id, s.id) for s in skills])
    assert small.skills[next_challenge(small, ["1.1"], [], 1).skill_id].level == 1


def test_each_competence_starts_near_level_2_and_competences_come_in_order(bank):
    order = ["3.4", "1.2", "5.1"]
    answers = play(bank, order, 7, simulated_pupil(dict.fromkeys(order, 3), 7))
    competences = [bank.skills[a.skill_id].competence for a in answers]
    assert sorted(set(competences), key=competences.index) == order
    assert competences == sorted(competences, key=order.index)
    for code in order:
        first = next(a for a in answers if bank.skills[a.skill_id].competence == code)
        assert bank.skills[first.skill_id].level == 2


@pytest.mark.parametrize("true_level", range(6))
def test_never_repeats_a_skill_nor_asks_a_decided_one(bank, true_level):
    answers = []
    answer = simulated_pupil(dict.fromkeys(bank.competences, true_level), true_level)
    while (challenge := next_challenge(bank, bank.competences, answers, true_level)) is not None:
        results = competence_results(bank, bank.competences, answers)
        decided = set().union(*(r.validated_skill_ids | r.invalidated_skill_ids for r in results.values()))
        assert challenge.skill_id not in decided
        assert challenge.skill_id not in {a.skill_id for a in answers}
        answers.append(AnswerInfo(challenge.id, challenge.skill_id, answer(bank.skills[challenge.skill_id])))
    assert len({a.skill_id for a in answers}) == len(answers)
    assert len({a.challenge_id for a in answers}) == len(answers)


def tube_of(bank, skill_id):
    key, _ = bank.place[skill_id]
    return [bank.skills[sid] for sid in bank.tubes[key]]


@pytest.mark.parametrize("correct", [True, False])
def test_an_answer_decides_easier_or_harder_skills_of_its_tube(bank, correct):
    first = next_challenge(bank, ["1.1"], [], 1)
    answered = bank.skills[first.skill_id]
    result = competence_results(bank, ["1.1"], [AnswerInfo(first.id, answered.id, correct)])["1.1"]
    assert not result.finished and result.answered == 1
    tube = tube_of(bank, answered.id)
    if correct:
        assert result.validated_skill_ids == {s.id for s in tube if s.level <= answered.level}
        assert result.invalidated_skill_ids == frozenset()
    else:
        assert result.invalidated_skill_ids == {s.id for s in tube if s.level >= answered.level}
        assert result.validated_skill_ids == frozenset()
    assert result.pix == math.floor(len(result.validated_skill_ids) * 8 / 3)
    assert result.level == 0


def test_a_direct_answer_is_not_overwritten_by_an_inference(bank):
    tube = tube_of(bank, bank.skills_of["1.1"][0])
    low, high = tube[1], tube[3]  # levels 2 and 4
    answers = [AnswerInfo(0, high.id, True), AnswerInfo(0, low.id, False)]  # inconsistent on purpose
    result = competence_results(bank, ["1.1"], answers)["1.1"]
    assert high.id in result.validated_skill_ids
    assert low.id in result.invalidated_skill_ids
    assert tube[2].id in result.invalidated_skill_ids  # level 3: the latest answer wins


def test_stops_when_every_competence_is_finished(bank):
    order = ["1.1", "4.2"]
    answers = play(bank, order, 3, simulated_pupil(dict.fromkeys(order, 2), 3))
    assert next_challenge(bank, order, answers, 3) is None
    results = competence_results(bank, order, answers)
    assert set(results) == set(order)
    assert all(r.finished and 1 <= r.answered <= engine.MAX_QUESTIONS for r in results.values())
    assert next_challenge(bank, [], [], 3) is None


def test_the_cap_on_questions_is_respected(bank):
    answers = []
    answer = simulated_pupil({"1.1": 2}, 5)
    while (challenge := next_challenge(bank, ["1.1"], answers, 5, max_questions=3)) is not None:
        answers.append(AnswerInfo(challenge.id, challenge.skill_id, answer(bank.skills[challenge.skill_id])))
    assert len(answers) <= 3
    assert competence_results(bank, ["1.1"], answers, max_questions=3)["1.1"].finished


def test_same_seed_same_test_and_seeds_matter(bank):
    levels = dict.fromkeys(bank.competences, 2)
    first = play(bank, bank.competences, "s1", simulated_pupil(levels, 1))
    again = play(bank, bank.competences, "s1", simulated_pupil(levels, 1))
    assert first == again
    others = [play(bank, bank.competences, seed, simulated_pupil(levels, 1)) for seed in ("s2", "s3", "s4")]
    assert any(other != first for other in others)


def test_all_right_reaches_level_5_and_40_pix_everywhere(bank):
    answers = play(bank, bank.competences, 1, lambda skill: True)
    results = competence_results(bank, bank.competences, answers)
    assert len(results) == 16
    for result in results.values():
        assert (result.pix, result.level, result.finished) == (40, 5, True)
        assert result.answered <= engine.MAX_QUESTIONS
        assert result.slip_skill_ids == frozenset()
    assert sum(r.pix for r in results.values()) == 640


def test_all_wrong_gets_nothing(bank):
    answers = play(bank, bank.competences, 1, lambda skill: False)
    results = competence_results(bank, bank.competences, answers)
    assert all((r.pix, r.level, r.finished) == (0, 0, True) for r in results.values())
    assert all(r.validated_skill_ids == frozenset() for r in results.values())


def test_skipping_counts_as_a_wrong_answer(bank):
    """A "Je passe" is stored as correct=False: same next question, same results as a wrong answer."""
    first = next_challenge(bank, ["1.1"], [], 1)
    skipped = [AnswerInfo(first.id, first.skill_id, correct=False)]
    wrong = [AnswerInfo(first.id, first.skill_id, False)]
    assert next_challenge(bank, ["1.1"], skipped, 1) == next_challenge(bank, ["1.1"], wrong, 1)
    answered = bank.skills[first.skill_id]
    result = competence_results(bank, ["1.1"], skipped)["1.1"]
    assert answered.id in result.invalidated_skill_ids
    answers = play(bank, ["1.1"], 1, lambda skill: False)
    assert competence_results(bank, ["1.1"], answers)["1.1"].pix == 0


def test_results_follow_the_estimate_once_finished(bank):
    levels = dict.fromkeys(bank.competences, 3)
    answers = play(bank, bank.competences, 9, simulated_pupil(levels, 9))
    results = competence_results(bank, bank.competences, answers)
    for code, result in results.items():
        # Every skill up to the level reached is validated; a failed one among them is reported as a slip.
        assert {sid for sid in bank.skills_of[code] if bank.skills[sid].level <= result.level} <= (
            result.validated_skill_ids
        )
        assert not result.validated_skill_ids & result.invalidated_skill_ids
        failed = {a.skill_id for a in answers if not a.correct and bank.skills[a.skill_id].competence == code}
        assert failed & result.validated_skill_ids <= result.slip_skill_ids
    assert sum(r.level == 3 for r in results.values()) >= 8


def test_unfinished_competences_get_direct_knowledge_only(bank):
    first = next_challenge(bank, ["1.1", "1.2"], [], 1)
    results = competence_results(bank, ["1.1", "1.2"], [AnswerInfo(first.id, first.skill_id, True)])
    assert results["1.1"].pix == math.floor(2 * 8 / 3)
    assert results["1.2"] == engine.CompetenceResult(frozenset(), frozenset(), 0, 0, 0, False)


def test_answers_outside_the_bank_or_the_competences_are_ignored(bank):
    stray = [AnswerInfo(999999, 999999, True), AnswerInfo(1, bank.skills_of["5.2"][0], True)]
    skill = bank.skills[next_challenge(bank, ["1.1"], stray, 1).skill_id]
    assert (skill.competence, skill.level) == ("1.1", 2)
    assert competence_results(bank, ["1.1"], stray)["1.1"].answered == 0


def test_fractional_pix_add_up_to_whole_levels():
    bank = engine.synthetic_bank(["1.1"], tubes=7, levels=range(1, 7))
    answers = play(bank, ["1.1"], 1, lambda skill: True)
    assert competence_results(bank, ["1.1"], answers)["1.1"].pix == 40


def test_a_higher_max_level_opens_the_higher_levels(bank):
    answers = []
    while (challenge := next_challenge(bank, ["1.1"], answers, 1, max_level=8)) is not None:
        answers.append(AnswerInfo(challenge.id, challenge.skill_id, True))
    result = competence_results(bank, ["1.1"], answers, max_level=8)["1.1"]
    assert (result.pix, result.level, result.finished) == (48, 6, True)  # the bank stops at level 6
