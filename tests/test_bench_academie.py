"""The académie benchmark's seeding (bench/academie_seed.py) at a tiny size, so that the script does not rot: each
school's rows hold only that school's classes, pupils, accounts, campaigns and results. No timing."""

import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from academie_seed import ASSESSED, Bank, academie_uai, seed_school

from orga.models import Answer, Campaign, CompetenceResult, Membership, Participation, Pupil, School, SiecleImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools():
    bank = Bank()
    return [seed_school(index, 5, bank, seed=3) for index in (1, 2)]


def test_each_school_is_seeded_whole(schools):
    for school in schools:
        assert school.uai == academie_uai(schools.index(school) + 1)
        assert Pupil.objects.filter(school=school).count() == 5
        assert Pupil.objects.filter(school=school, user__isnull=True).count() == 0
        assert SiecleImport.objects.get(school=school).report["created"] == 5
        assert sorted(Membership.objects.filter(school=school).values_list("role", flat=True)) == ["admin", "member"]
        profiles = Campaign.objects.get(school=school, type=Campaign.Type.PROFILES_COLLECTION)
        assessment = Campaign.objects.get(school=school, type=Campaign.Type.ASSESSMENT)
        assert profiles.competences.count() == 16
        assert sorted(assessment.competences.values_list("code", flat=True)) == list(ASSESSED)
        assert Participation.objects.filter(campaign=profiles).count() == 5
        finished = Participation.objects.filter(campaign__school=school).exclude(status="started")
        assert CompetenceResult.objects.filter(participation__in=finished).exists()
        assert Answer.objects.filter(participation__campaign__school=school).exists()


def test_no_row_of_a_school_points_to_another(schools):
    assert not Pupil.objects.exclude(division__school=F("school")).exists()
    assert not Participation.objects.exclude(campaign__school=F("pupil__school")).exists()
    assert not Campaign.divisions.through.objects.exclude(division__school=F("campaign__school")).exists()
    assert not Membership.divisions.through.objects.exclude(division__school=F("membership__school")).exists()
    assert not Campaign.objects.exclude(owner__memberships__school=F("school")).exists()
    pupil_users = Pupil.objects.values_list("user_id", flat=True)
    assert len(set(pupil_users)) == Pupil.objects.count() == 10
    for school in schools:
        assert get_user_model().objects.filter(username__startswith=f"bench.{school.uai}.").count() == 5 + 1
    assert School.objects.filter(uai__in=[s.uai for s in schools]).count() == 2


def test_a_finished_participation_has_a_result_per_competence_and_its_total(schools):
    for participation in Participation.objects.exclude(status="started").prefetch_related("competence_results"):
        results = list(participation.competence_results.all())
        assert len(results) == participation.campaign.competences.count()
        assert participation.pix == sum(result.pix for result in results)
        assert all(len(result.validated_skills) > 0 for result in results if result.level > 0)
    for participation in Participation.objects.filter(status="started"):
        assert not participation.competence_results.exists()
