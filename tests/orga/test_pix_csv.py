"""The results CSV is Pix Orga's assessment export (orga/results/pix_csv.py), checked against a file written by
hand from Pix's rules (tests/fixtures/pix/)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crcn.models import Challenge
from orga.campaigns.models import CUSTOM_PROFILE, Campaign
from orga.campaigns.services import create_campaign
from orga.models import Answer, CompetenceResult, Participation
from orga.results import pix_csv
from orga.results.exports import build_csv
from orga.results.frames import campaign_results, target_skills
from tests.factories import DivisionFactory, PupilFactory

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pix" / "campaign_assessment_results.csv"
UTC = datetime.UTC
STATUS = Participation.Status

# --- The pure module -------------------------------------------------------------------------------


def test_header_is_pixs_then_ours():
    columns = pix_csv.header(["Interagir", "Programmer"], ["Communication et collaboration", "Création de contenu"])
    assert columns[:13] == [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Parcours",
        "Nom du Participant",
        "Prénom du Participant",
        "Classe",
        "% de progression",
        "Date et heure de début (Europe/Paris)",
        "Partage (O/N)",
        "Date et heure du partage (Europe/Paris)",
        "% maitrise de l'ensemble des acquis du profil",
    ]
    assert columns[13:] == [
        "% de maitrise des acquis de la compétence Interagir",
        "Nombre d'acquis du profil cible dans la compétence Interagir",
        "Acquis maitrisés dans la compétence Interagir",
        "% de maitrise des acquis de la compétence Programmer",
        "Nombre d'acquis du profil cible dans la compétence Programmer",
        "Acquis maitrisés dans la compétence Programmer",
        "% de maitrise des acquis du domaine Communication et collaboration",
        "Nombre d'acquis du profil cible du domaine Communication et collaboration",
        "Acquis maitrisés du domaine Communication et collaboration",
        "% de maitrise des acquis du domaine Création de contenu",
        "Nombre d'acquis du profil cible du domaine Création de contenu",
        "Acquis maitrisés du domaine Création de contenu",
    ]
    with_levels = pix_csv.header(["Interagir"], ["Communication et collaboration"], with_levels=True)
    assert with_levels[-2:] == ["Niveau pour la compétence Interagir", "Nombre de pix pour la compétence Interagir"]


@pytest.mark.parametrize(
    "part, whole, places, expected",
    [
        (10, 15, 2, "0,67"),
        (3, 15, 2, "0,2"),
        (15, 15, 2, "1"),
        (0, 15, 2, "0"),
        (1, 8, 2, "0,13"),  # half up, as Pix rounds (Python's round would give 0.12)
        (1, 200, 2, "0,01"),
        (3, 24, 3, "0,125"),
        (1, 3, 3, "0,333"),
        (5, 0, 2, "0"),  # a competence without target skills
    ],
)
def test_ratios_have_a_decimal_comma_and_no_trailing_zero(part, whole, places, expected):
    assert pix_csv.cell(pix_csv.ratio(part, whole, places)) == expected


def test_progress_is_one_when_finished_else_below_one():
    assert pix_csv.progress(True, 0, 24) == 1
    assert pix_csv.progress(False, 3, 24) == Decimal("0.125")
    assert pix_csv.progress(False, 0, 24) == 0
    assert pix_csv.progress(False, 40, 24) == Decimal("0.99")  # more answers than expected: still unfinished


def test_names_sort_without_case_or_accents():
    names = ["Zoé", "émile", "Eric", "ÉLODIE", "durand"]
    assert sorted(names, key=pix_csv.name_key) == ["durand", "ÉLODIE", "émile", "Eric", "Zoé"]


def test_date_times_are_in_paris_summer_and_winter():
    assert pix_csv.paris_time(datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "29/03/2026 01:59"
    assert pix_csv.paris_time(datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29/03/2026 03:00"
    assert pix_csv.paris_time(datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2026 00:30"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Rentrée 3e", '"Rentrée 3e"'),
        ("", '""'),
        ('Dit "Lulu"', '"Dit ""Lulu"""'),
        ("Ligne;avec;points-virgules", '"Ligne;avec;points-virgules"'),
        ("=SOMME(A1)", '"\'=SOMME(A1)"'),
        ("@x", '"\'@x"'),
        ("+33", '"\'+33"'),
        ("-x", '"\'-x"'),
        ("\tx", '"\'\tx"'),
        ("2024", "2024"),  # digits and hyphens only: bare, as Pix writes them
        ("-12", "-12"),
        ("3-2", "3-2"),
        (4242, "4242"),
        (Decimal("0.50"), "0,5"),
    ],
)
def test_cells_are_quoted_and_defused_as_pix_does(value, expected):
    assert pix_csv.cell(value) == expected


@pytest.mark.parametrize("value", [True, None, 0.5])
def test_a_cell_is_text_or_an_exact_number(value):
    with pytest.raises(TypeError):
        pix_csv.cell(value)


def _campaign(*competences):
    return pix_csv.Campaign("Collège", 7, "ABCDEF234", "Rentrée", "Parcours", competences)


def test_areas_follow_the_competences_and_sum_them():
    campaign = _campaign(
        pix_csv.Competence("1.1", "Mener", "Information et données", 10),
        pix_csv.Competence("1.3", "Traiter", "Information et données", 5),
        pix_csv.Competence("5.2", "Construire", "Environnement numérique", 4),
    )
    assert [(title, [c.code for c in members]) for title, members in campaign.areas()] == [
        ("Information et données", ["1.1", "1.3"]),
        ("Environnement numérique", ["5.2"]),
    ]
    started = datetime.datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
    participant = pix_csv.Participant(
        "NOM",
        "Prénom",
        "4e B",
        started,
        finished=True,
        answered=30,
        expected=24,
        shared_at=started,
        validated={"1.1": 4, "1.3": 5},  # nothing stored for 5.2: 0 mastered, as Pix counts it
        levels={"1.1": (2, 17), "1.3": (4, 35)},
    )
    cells = pix_csv.values(campaign, participant)
    assert len(cells) == len(campaign.header())
    assert cells[12:] == [
        Decimal("0.47"),  # 9 of 19
        Decimal("0.4"), 10, 4,
        Decimal("1"), 5, 5,
        Decimal("0"), 4, 0,
        Decimal("0.6"), 15, 9,
        Decimal("0"), 4, 0,
        2, 17, 4, 35, "NA", "NA",
    ]  # fmt: skip


def test_a_participant_without_results_sent_has_na_after_the_sending_column():
    campaign = _campaign(pix_csv.Competence("2.1", "Interagir", "Communication et collaboration", 15))
    started = datetime.datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
    participant = pix_csv.Participant("NOM", "Prénom", "", started, finished=False, answered=2, expected=8)
    cells = pix_csv.values(campaign, participant)
    assert cells[8:11] == [Decimal("0.25"), "01/10/2025 10:00", "Non"]
    assert cells[11:] == ["NA"] * (2 + 3 + 3 + 2)
    text = pix_csv.text(campaign, [participant], with_levels=False)
    assert text.startswith('\ufeff"Nom de l\'organisation";') and text.endswith(
        '"Non";' + ";".join(['"NA"'] * 8) + "\n"
    )
    assert text.count("\n") == 2 and "\r" not in text


# --- The export of a campaign, against Pix's file -------------------------------------------------


def paris_utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def pix_like_campaign(school, school_admin):
    """The campaign of tests/fixtures/pix/README.md."""
    school.name = "Collège Victor-Hugo"
    school.save()
    campaign = create_campaign(
        school=school,
        owner=school_admin,
        name="Rentrée 3e",
        type="assessment",
        competence_codes=["4.1", "1.2", "1.1"],
        id=4242,
    )
    Campaign.objects.filter(id=campaign.id).update(code="QRTWHB274")
    campaign.refresh_from_db()
    divisions = {name: DivisionFactory(school=school, name=name) for name in ("3e A", "3e B")}
    skills = target_skills(["1.1", "1.2", "4.1"])
    by_code = {code: sorted(s for s, (c, _, level) in skills.items() if c == code) for code in ("1.1", "1.2", "4.1")}
    assert {code: len(ids) for code, ids in by_code.items()} == {"1.1": 15, "1.2": 15, "4.1": 15}, (
        "the fixture counts 15 target skills per competence: rewrite it if the framework's content changed"
    )
    competences = {c.code: c for c in campaign.competences.all()}

    def participation(last_name, first_name, division, status, started, **names):
        pupil = PupilFactory(
            school=school, division=divisions[division], last_name=last_name, first_name=first_name, **names
        )
        created = Participation.objects.create(campaign=campaign, pupil=pupil, status=status)
        Participation.objects.filter(id=created.id).update(created_at=started)
        return created

    shared = participation(
        "DURAND", "Léa", "3e A", STATUS.SHARED, paris_utc(2025, 9, 15, 8, 30), preferred_last_name="DURAND-LEROY"
    )
    results = {"1.1": (10, 3, 26), "1.2": (3, 1, 9), "4.1": (15, 5, 40)}
    CompetenceResult.objects.bulk_create(
        CompetenceResult(
            participation=shared,
            competence=competences[code],
            level=level,
            pix=pix,
            validated_skills=by_code[code][:mastered],
            tested_skills=mastered + 2,
        )
        for code, (mastered, level, pix) in results.items()
    )
    Participation.objects.filter(id=shared.id).update(
        pix=75, finished_at=paris_utc(2025, 11, 3, 13, 0), shared_at=paris_utc(2025, 11, 3, 13, 5)
    )
    started = participation("MARTIN", "Hugo", "3e B", STATUS.STARTED, paris_utc(2025, 9, 16, 7, 0))
    challenges = Challenge.objects.filter(skill_id__in=by_code["1.1"]).values_list("id", "skill_id")[:3]
    Answer.objects.bulk_create(
        Answer(participation=started, challenge_id=c, skill_id=s, result="ok") for c, s in challenges
    )
    participation("PETIT", "Chloé", "3e A", STATUS.TO_SHARE, paris_utc(2025, 9, 15, 9, 0))
    return campaign


@pytest.mark.django_db
def test_the_results_csv_is_pixs_file(pix_like_campaign):
    expected = FIXTURE.read_bytes()
    results = campaign_results(pix_like_campaign)
    assert build_csv(results, with_levels=False) == expected


@pytest.mark.django_db
def test_our_levels_and_pix_follow_pixs_columns(pix_like_campaign):
    expected = FIXTURE.read_text(encoding="utf-8").splitlines()
    ours = build_csv(campaign_results(pix_like_campaign)).decode("utf-8").splitlines()
    titles = ["Mener une recherche et une veille d'information", "Gérer des données"]
    titles.append("Sécuriser l'environnement numérique")
    extra_header = ";".join(f'"{name}"' for title in titles for name in pix_csv.level_header(title))
    assert ours[0] == expected[0] + ";" + extra_header
    assert ours[1] == expected[1] + ";3;26;1;9;5;40"
    assert ours[2] == expected[2] + ";" + ";".join(['"NA"'] * 6)
    assert ours[3] == expected[3] + ";" + ";".join(['"NA"'] * 6)
    assert len(ours) == len(expected) == 4


@pytest.mark.django_db
def test_the_target_profile_is_the_ready_made_sets_label(school, school_admin):
    from crcn.presets import PRESETS_BY_CODE

    chosen = create_campaign(school=school, owner=school_admin, name="A", type="assessment", competence_codes=["1.1"])
    ready = create_campaign(
        school=school,
        owner=school_admin,
        name="B",
        type="assessment",
        competence_codes=list(PRESETS_BY_CODE["rentree-6e"].competences),
        preset="rentree-6e",
    )
    assert chosen.target_profile_name == CUSTOM_PROFILE
    assert ready.target_profile_name == "Parcours de rentrée 6e"
    header = build_csv(campaign_results(ready)).decode("utf-8").splitlines()[0]
    areas = [
        name.split(" du domaine ")[1] for name in header.split(";") if "% de maitrise des acquis du domaine" in name
    ]
    assert [area.rstrip('"') for area in areas] == [
        "Information et données",
        "Communication et collaboration",
        "Création de contenu",
        "Protection et sécurité",
        "Environnement numérique",
    ]
