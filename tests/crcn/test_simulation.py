"""`simulate_positioning` on the shipped bank when the database holds it, else on a synthetic one."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crcn.bank import load_bank
from crcn.framework import load_framework
from crcn.models import Challenge, Competence, Domain, Level, Skill, Tube

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge_bank(db):
    """The shipped bank (≥ 200 active challenges after migrate) or 3 tubes × levels 1-6 per competence."""
    if Challenge.objects.active().count() >= 200:
        return "shipped"
    if Competence.objects.count() < 16:  # e.g. a test database built without migrations
        load_framework(Domain, Competence, Level)
    tubes = Tube.objects.bulk_create(
        Tube(competence=competence, code=f"t-{competence.code}-{t}", title=f"Sujet {t}")
        for competence in Competence.objects.all()
        for t in range(3)
    )
    skills = Skill.objects.bulk_create(
        Skill(tube=tube, code=f"{tube.code}-{level}", level=level, pix_value=8 / 3)
        for tube in tubes
        for level in range(1, 7)
    )
    Challenge.objects.bulk_create(
        Challenge(skill=skill, code=f"{skill.code}-{n}", type="qcu", instruction="?", solution=0, explanation=".")
        for i, skill in enumerate(skills)
        for n in range(1 + i % 2)
    )
    return "synthetic"


def simulate(*args):
    out = StringIO()
    call_command("simulate_positioning", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_simulated_pupils_get_their_level(challenge_bank):
    report = simulate("--pupils", "60", "--seed", "1")
    assert (report["pupils"], report["pairs"], report["seed"]) == (60, 960, "1")
    assert report["competences"] == 16
    assert report["challenges"] == Challenge.objects.active().count() >= (200 if challenge_bank == "shipped" else 288)
    assert report["within_one"] >= 0.95, report
    assert report["exact"] >= 0.65, report
    assert report["mean_questions_per_competence"] <= 8, report
    levels = report["by_true_level"]
    assert set(levels) == {"0", "1", "2", "3", "4", "5"}
    assert sum(row["pairs"] for row in levels.values()) == 960
    assert all(row["within_one"] >= 0.9 for row in levels.values()), levels


def test_simulation_is_deterministic_for_a_seed(challenge_bank):
    first = simulate("--pupils", "8", "--seed", "42")
    assert simulate("--pupils", "8", "--seed", "42") == first
    assert simulate("--pupils", "8", "--seed", "43") != first


def test_the_cap_on_questions_is_an_option(challenge_bank):
    report = simulate("--pupils", "5", "--seed", "1", "--max-questions", "3")
    assert report["max_questions"] == 3
    assert report["mean_questions_per_competence"] <= 3


def test_text_report(challenge_bank):
    out = StringIO()
    call_command("simulate_positioning", "--pupils", "3", stdout=out)
    assert "Niveau exact" in out.getvalue()
    assert "niveau réel" in out.getvalue()


def test_bank_holds_active_skills_and_challenges_in_two_queries(challenge_bank):
    skill = Skill.objects.order_by("id").first()
    retired = Challenge.objects.filter(skill=skill).first()
    retired.status = Challenge.Status.RETIRED
    retired.save()
    inactive = Skill.objects.order_by("-id").first()
    inactive.is_active = False
    inactive.save()
    with CaptureQueriesContext(connection) as queries:
        bank = load_bank()
    assert len(queries) == 2
    assert inactive.id not in bank.skills
    assert retired.id not in {c.id for found in bank.challenges_of.values() for c in found}
    assert len(bank) == Challenge.objects.active().filter(skill__is_active=True).count()
    info = bank.skills[skill.id]
    assert (info.competence, info.tube, info.level) == (skill.tube.competence.code, skill.tube.code, skill.level)


def test_an_empty_bank_is_refused(challenge_bank):
    Challenge.objects.update(status=Challenge.Status.RETIRED)
    with pytest.raises(Exception, match="load_content"):
        call_command("simulate_positioning", "--pupils", "1")
