"""The certification test engine (crcn.certification) on synthetic banks, and simulate_certification."""

import json
import math
import random
from io import StringIO

import pytest
from django.core.management import call_command

from crcn import certification
from crcn.engine import AnswerInfo, synthetic_bank
from crcn.scoring import max_total_pix


@pytest.fixture(scope="module")
def bank():
    return synthetic_bank(challenges_per_skill=(2,))


def play(bank, seed, answer, max_level=5):
    answers = []
    while (challenge := certification.next_challenge(bank, answers, seed, max_level=max_level)) is not None:
        skill = bank.skills[challenge.skill_id]
        answers.append(AnswerInfo(challenge.id, skill.id, answer(skill)))
        assert len(answers) <= certification.QUESTIONS
    return answers


def candidate(level, seed):
    rng = random.Random(seed)
    return lambda skill: rng.random() < 1 / (1 + math.exp(-2 * (level + 0.5 - skill.level)))


def test_a_test_has_32_questions_covering_every_competence_once_per_skill(bank):
    answers = play(bank, "s1", candidate(3, 1))
    assert len(answers) == 32
    competences = [bank.skills[a.skill_id].competence for a in answers]
    assert set(competences) == set(bank.competences)
    assert all(competences.count(code) == 2 for code in bank.competences)
    assert len({a.skill_id for a in answers}) == 32


def test_every_competence_is_asked_even_with_fewer_questions(bank):
    answers = []
    while (challenge := certification.next_challenge(bank, answers, "s", questions=16)) is not None:
        answers.append(AnswerInfo(challenge.id, challenge.skill_id, True))
    assert len(answers) == 16
    assert {bank.skills[a.skill_id].competence for a in answers} == set(bank.competences)


def test_same_seed_and_answers_give_the_same_test(bank):
    first = play(bank, "seed", candidate(2, 7))
    assert play(bank, "seed", candidate(2, 7)) == first
    assert play(bank, "other", candidate(2, 7)) != first


def test_the_estimate_moves_up_after_a_right_answer_and_down_after_a_wrong_one(bank):
    challenge = certification.next_challenge(bank, [], "s")
    start, _ = certification.capacity(bank, [])
    right, _ = certification.capacity(bank, [AnswerInfo(challenge.id, challenge.skill_id, True)])
    wrong, _ = certification.capacity(bank, [AnswerInfo(challenge.id, challenge.skill_id, False)])
    assert wrong < start < right


def test_the_next_question_follows_the_estimate(bank):
    all_right, all_wrong = [], []
    for _ in range(6):
        for answers, correct in ((all_right, True), (all_wrong, False)):
            challenge = certification.next_challenge(bank, answers, "s")
            answers.append(AnswerInfo(challenge.id, challenge.skill_id, correct))
    level = bank.skills[certification.next_challenge(bank, all_right, "s").skill_id].level
    assert level > bank.skills[certification.next_challenge(bank, all_wrong, "s").skill_id].level


def test_strong_and_weak_candidates_get_their_bands(bank):
    strong = certification.score(bank, play(bank, "a", lambda skill: True))
    weak = certification.score(bank, play(bank, "b", lambda skill: False))
    assert (strong.status, strong.status_label, strong.level, strong.label) == ("validated", "Validée", 5, "Avancé 1")
    assert strong.pix_score <= max_total_pix(5) == 640
    assert (weak.level, weak.label) == (0, "-")
    assert weak.pix_score >= 0
    assert set(strong.competence_levels) == set(bank.competences)
    assert all(level == 5 for level in strong.competence_levels.values())
    assert all(level == 0 for level in weak.competence_levels.values())


def test_scores_are_capped_by_the_max_level(bank):
    answers = play(bank, "a", lambda skill: True, max_level=8)
    assert certification.score(bank, answers, max_level=5).pix_score <= 640
    assert certification.score(bank, answers, max_level=3).level <= 3
    assert all(level <= 3 for level in certification.score(bank, answers, max_level=3).competence_levels.values())
    assert certification.pix_score(9.0, max_level=8) == 1024
    assert certification.pix_score(9.0, max_level=7) == 896
    assert certification.pix_score(-9.0) == 0


def test_a_middle_candidate_scores_in_the_middle(bank):
    result = certification.score(bank, play(bank, "m", candidate(3, 3)))
    assert 3 <= result.level <= 5  # true score 384: Indépendant 2, within one band
    assert abs(result.pix_score - 384) < 128


def test_fewer_than_20_answers_is_rejected_for_the_candidate_and_cancelled_for_a_technical_cause(bank):
    answers = play(bank, "r", lambda skill: True)
    short = answers[:19]
    rejected = certification.score(bank, short, abort_reason=certification.CANDIDATE)
    assert (rejected.status, rejected.status_label, rejected.pix_score, rejected.label) == (
        "rejected",
        "Non obtenue",
        0,
        "-",
    )
    assert rejected.competence_levels == {}
    assert certification.score(bank, short).status == "rejected"
    assert certification.score(bank, short, abort_reason=certification.TECHNICAL).status == "cancelled"
    assert certification.score(bank, answers[:20], abort_reason=certification.CANDIDATE).status == "validated"


def test_two_candidates_of_the_same_level_share_few_questions(bank):
    first = {a.challenge_id for a in play(bank, "c1", candidate(3, 1))}
    second = {a.challenge_id for a in play(bank, "c2", candidate(3, 1))}
    assert len(first & second) / 32 <= 0.5


def test_the_module_stays_free_of_django():
    source = certification.__file__
    with open(source, encoding="utf-8") as module:
        assert "django" not in module.read()


@pytest.mark.django_db
def test_command_reports_the_figures_and_is_deterministic():
    def run(*args):
        out = StringIO()
        call_command("simulate_certification", "--synthetic-bank", "--json", *args, stdout=out)
        return json.loads(out.getvalue())

    report = run("--candidates", "12", "--seed", "3")
    for key in ("exact_band", "within_one_band", "mean_abs_pix_error", "questions", "overlap", "by_true_band"):
        assert key in report
    assert report["questions"] == 32
    assert report["every_competence_asked"] is True
    assert report["skills_repeated"] == 0
    assert report["challenges"] == 16 * 3 * 6 * 2
    assert sum(row["candidates"] for row in report["by_true_band"].values()) == 12
    assert run("--candidates", "12", "--seed", "3") == report
    assert run("--candidates", "12", "--seed", "4") != report


@pytest.mark.django_db
def test_command_text_report():
    out = StringIO()
    call_command("simulate_certification", "--synthetic-bank", "--candidates", "3", stdout=out)
    assert "Niveau global exact" in out.getvalue()
