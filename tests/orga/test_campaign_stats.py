"""A campaign's aggregates (orga/campaigns/stats.py) stay equal to a recompute from scratch."""

import io
import random

import pandas as pd
import pytest
from django.core.management import call_command

from crcn.levels import max_reachable_level
from crcn.models import Skill
from orga.campaigns.services import create_campaign, finish, share, start_or_resume
from orga.campaigns.stats import VisibleStats, campaign_codes, compute, record_results, summed
from orga.models import CampaignStats, CampaignTotal, CompetenceResult, Participation
from orga.pix_imports.services import apply_campaign
from orga.results.frames import campaign_results
from tests.factories import DivisionFactory, PupilFactory
from tests.orga.test_pix_imports import _analysed_job
from tests.orga.test_pix_imports import participants as pix_participants

CODES = ["1.1", "3.4", "4.1"]


@pytest.fixture
def campaign(school, teacher):
    return create_campaign(
        school=school, owner=teacher, name="Rentrée", type="assessment", competence_codes=CODES, multiple_sendings=True
    )


def send(campaign, pupil, rng):
    """The pupil starts, gets results drawn at random and sends them, through the services."""
    participation = start_or_resume(campaign, pupil)
    skills = Skill.objects.filter(tube__competence__code__in=CODES, is_active=True).select_related("tube__competence")
    competences = {c.code: c for c in campaign.competences.all()}
    for code in CODES:
        level = rng.randint(0, 5)
        CompetenceResult.objects.create(
            participation=participation,
            competence=competences[code],
            level=level,
            pix=8 * level,
            validated_skills=[s.id for s in skills if s.tube.competence.code == code and s.level <= level],
            tested_skills=9,
        )
    participation.status = Participation.Status.TO_SHARE
    participation.save()
    share(participation)
    return participation


def stored(campaign):
    return {row.division_id: row.data for row in CampaignStats.objects.filter(campaign=campaign)}


def from_scratch(campaign):
    return compute(campaign, Participation.objects.current().filter(campaign=campaign))[0]


def everyone(campaign):
    return VisibleStats(campaign, Participation.objects.current().filter(campaign=campaign))


@pytest.mark.django_db
def test_sends_keep_the_aggregates_equal_to_a_recompute(school, campaign):
    rng = random.Random(4)
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    for division, count in ((a, 5), (b, 3), (None, 2)):
        for _ in range(count):
            send(campaign, PupilFactory(school=school, division=division), rng)
    start_or_resume(campaign, PupilFactory(school=school, division=a))  # started, not finished
    finish(start_or_resume(campaign, PupilFactory(school=school, division=b)), answers=[])  # finished at level 0

    assert stored(campaign) == from_scratch(campaign) and set(stored(campaign)) == {a.id, b.id, None}
    stats = everyone(campaign)
    assert stats.stale == [] and [name for name, _ in stats.per_class] == ["", "3e A", "3e B"]
    assert stats.total["statuses"] == {"started": 1, "to_share": 0, "shared": 11} and stats.total["shared"] == 11
    frame = campaign_results(campaign).frame.set_index("participation_id")
    for participation in Participation.objects.filter(campaign=campaign):
        expected = frame.loc[participation.id, "mastery"]
        assert participation.mastery == (None if pd.isna(expected) else int(expected))


@pytest.mark.django_db
def test_a_new_participation_replaces_the_previous_one_in_the_aggregates(school, campaign):
    rng = random.Random(2)
    pupil = PupilFactory(school=school)
    send(campaign, pupil, rng)
    start_or_resume(campaign, pupil)  # multiple sendings: the sent one is kept as history
    data = stored(campaign)[pupil.division_id]
    assert data["statuses"] == {"started": 1, "to_share": 0, "shared": 0} and data["shared"] == 0
    assert data == from_scratch(campaign)[pupil.division_id]


@pytest.mark.django_db
def test_a_pix_import_and_its_update_store_the_aggregates(school, school_admin):
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    PupilFactory(school=school, division=a, last_name="MARTIN", first_name="Léa")
    PupilFactory(school=school, division=a, last_name="DURAND", first_name="Hugo")
    PupilFactory(school=school, division=b, last_name="PETIT", first_name="Zoé")
    report = apply_campaign(_analysed_job(school, school_admin, pix_participants(), "r.csv"))["report"]
    campaign = Participation.objects.first().campaign
    assert report["new"] == 2 and stored(campaign) == from_scratch(campaign)
    assert stored(campaign)[a.id]["shared"] == 2
    assert sorted(Participation.objects.values_list("mastery", flat=True)) == [25, 60]  # Pix's own ratios
    later = pix_participants()
    later[1]["mastery"], later[1]["competences"] = 0.5, {"1.1": 1}
    assert apply_campaign(_analysed_job(school, school_admin, later, "r2.csv"))["report"]["updated"] == 1
    assert stored(campaign) == from_scratch(campaign)
    assert sorted(Participation.objects.values_list("mastery", flat=True)) == [50, 60]


@pytest.mark.django_db
def test_rows_out_of_date_are_computed_on_reading_and_stored_again_by_the_command(school, campaign):
    rng = random.Random(7)
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    sent = [send(campaign, PupilFactory(school=school, division=a), rng) for _ in range(4)]
    send(campaign, PupilFactory(school=school, division=b), rng)
    moved = sent[0].pupil
    moved.division = b  # a SIECLE import moves the pupil to another class
    moved.save()
    sent[1].delete()  # a participation gone (its pupil's school year closed, say)
    before = stored(campaign)
    stats = everyone(campaign)
    assert sorted(stats.stale) == sorted([a.id, b.id]) and stored(campaign) == before  # reading writes nothing
    scratch = from_scratch(campaign)
    assert dict(stats.per_class) == {"3e A": scratch[a.id], "3e B": scratch[b.id]}

    assert not stats.from_total  # the total sums rows out of date: the classes are summed instead

    call_command("refresh_campaign_stats", stdout=io.StringIO())
    assert stored(campaign) == scratch and everyone(campaign).stale == [] and everyone(campaign).from_total


@pytest.mark.django_db
def test_a_teacher_reads_the_aggregates_of_their_classes_only(school, campaign):
    rng = random.Random(1)
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    for division in (a, a, b):
        send(campaign, PupilFactory(school=school, division=division), rng)
    only_a = Participation.objects.current().filter(campaign=campaign, pupil__division=a)
    stats = VisibleStats(campaign, only_a)
    assert [name for name, _ in stats.per_class] == ["3e A"] and stats.total["shared"] == 2
    assert not stats.from_total and everyone(campaign).from_total


@pytest.mark.django_db
def test_the_campaign_total_stays_the_sum_of_its_classes(school, campaign):
    rng = random.Random(8)
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    pupils = [PupilFactory(school=school, division=division) for division in (a, a, a, b, b, None)]
    for pupil in pupils:
        send(campaign, pupil, rng)
    send(campaign, pupils[0], rng)  # a second sending replaces the first in the class and in the total
    start_or_resume(campaign, pupils[3])  # started again: one shared less, one started more
    start_or_resume(campaign, PupilFactory(school=school, division=b))

    total = CampaignTotal.objects.get(campaign=campaign)
    codes = campaign_codes(campaign)
    assert total.data == summed(from_scratch(campaign).values(), codes, max_reachable_level())
    rows = CampaignStats.objects.filter(campaign=campaign)
    assert {key: version for key, (version, _statuses) in total.parts.items()} == {
        ("none" if row.division_id is None else str(row.division_id)): row.updated_at.isoformat() for row in rows
    }
    read = everyone(campaign)
    assert read.from_total and read.total == total.data
    assert read.total["statuses"] == {"started": 2, "to_share": 0, "shared": 5}
    assert dict(read.per_class)["3e B"] == {"statuses": {"started": 2, "to_share": 0, "shared": 1}}
    CampaignTotal.objects.all().delete()  # without it, the same figures from the classes
    summed_again = everyone(campaign)
    assert not summed_again.from_total and summed_again.total == read.total


@pytest.mark.django_db
def test_recording_twice_changes_nothing(school, campaign):
    participation = send(campaign, PupilFactory(school=school), random.Random(3))
    before = stored(campaign)
    record_results(participation)
    assert stored(campaign) == before and CampaignStats.objects.count() == 1
