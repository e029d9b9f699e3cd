"""Every level scale reads the configured maximum level (settings.PIX_MAX_REACHABLE_LEVEL), not a 5."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from crcn.models import Skill
from orga.campaigns.services import create_campaign
from orga.classes.forms import ClassObjectiveForm
from orga.models import CompetenceResult, Participation
from orga.results.exports import build_class_pdf, build_xlsx
from orga.results.frames import campaign_results, competence_profile, target_skills, tube_analysis
from tests.factories import DivisionFactory, PupilFactory, UserFactory

CODES = ["1.1", "2.3"]
LEVELS = [0, 3, 6, 6]  # the levels of the pupils who sent their results, in every competence


@pytest.fixture
def six(settings):
    settings.PIX_MAX_REACHABLE_LEVEL = 6


@pytest.fixture
def division(school):
    return DivisionFactory(school=school, name="3e A")


@pytest.fixture
def campaign(school, school_admin, division):
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée", type="assessment", competence_codes=CODES
    )
    competences = list(campaign.competences.all())
    for level in LEVELS:
        participation = Participation.objects.create(
            campaign=campaign, pupil=PupilFactory(school=school, division=division), status="shared", pix=16 * level
        )
        CompetenceResult.objects.bulk_create(
            CompetenceResult(participation=participation, competence=c, level=level, pix=8 * level) for c in competences
        )
    return campaign


@pytest.mark.django_db
def test_the_level_distribution_has_a_bucket_per_level_up_to_the_maximum(six, campaign):
    for row in competence_profile(campaign_results(campaign)):
        assert row["counts"] == [1, 0, 0, 1, 0, 0, 2]
        assert row["mean_level"] == 3.8 and row["percent"] == round(100 * 3.75 / 6)


@pytest.mark.django_db
def test_by_default_the_distribution_stops_at_level_5(campaign):
    (row, _) = competence_profile(campaign_results(campaign))
    assert len(row["counts"]) == 6


@pytest.mark.django_db
def test_the_analysis_tab_has_a_column_per_level(six, client_for, school, school_admin, campaign):
    url = reverse("orga:campaign_analysis", kwargs={"uai": school.uai, "campaign_id": campaign.id})
    html = client_for(school_admin).get(url).content.decode()
    assert [f"Niv. {level}" in html for level in range(8)] == [True] * 7 + [False]


@pytest.mark.django_db
def test_the_skills_of_the_profile_go_up_to_the_maximum(six, campaign):
    levels = {level for _, _, level in target_skills(CODES).values()}
    assert max(levels) == min(6, Skill.objects.filter(tube__competence__code__in=CODES).order_by("-level")[0].level)


@pytest.mark.django_db
@pytest.mark.parametrize(("maximum", "accepted", "refused"), [(5, 5, 6), (6, 6, 7)])
def test_the_class_objective_accepts_levels_up_to_the_maximum(settings, maximum, accepted, refused):
    settings.PIX_MAX_REACHABLE_LEVEL = maximum
    assert ClassObjectiveForm({"competences_target": 5, "level_target": accepted}).is_valid()
    form = ClassObjectiveForm({"competences_target": 5, "level_target": refused})
    assert form.errors == {"level_target": [f"Indiquez un niveau entre 1 et {maximum}."]}
    assert f"au niveau {maximum}, le plus haut" in form.fields["level_target"].help_text


@pytest.mark.django_db
def test_the_workbook_has_a_share_per_level(six, campaign):
    sheet = load_workbook(io.BytesIO(build_xlsx(campaign_results(campaign))))["Synthèse"]
    headers = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "% au niveau 6" in headers and "% au niveau 7" not in headers
    assert sheet.column_dimensions["K"].width == 12  # the column of level 6 as wide as the others


@pytest.mark.django_db
def test_the_class_report_scale_goes_to_the_maximum(six, campaign, division):
    results = campaign_results(campaign)
    data = build_class_pdf(results, division, tube_analysis(results))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "(de 0 à 6)" in text and "(de 0 à 5)" not in text


@pytest.mark.django_db
def test_the_pupils_results_are_out_of_the_maximum_pix(six, client_for, campaign):
    participation = campaign.participations.filter(competence_results__level=6).first()
    participation.pupil.user = UserFactory()
    participation.pupil.save()
    html = client_for(participation.pupil.user).get(reverse("orga:results", args=[participation.id])).content.decode()
    assert "48 / 48" in html  # 8 pix a level, 6 levels
