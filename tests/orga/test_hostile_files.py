"""Files built from what people typed: every CSV and Excel cell defused, every download's name sanitised."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from documents.cells import DANGEROUS_STARTS
from orga.campaigns.services import create_campaign
from orga.models import Report
from orga.results.exports import build_csv, build_xlsx, process_report
from orga.results.frames import campaign_results
from tests.factories import DivisionFactory, PupilFactory
from tests.orga.test_exports import CODES, add_participations

HOSTILE_DIVISION = '3e A\r\nX-Injected: 1"; evil'
SAFE_HEADER = re.compile(r"(attachment|inline); filename=\"[^\"\\\r\n]+\"(; filename\*=utf-8''[A-Za-z0-9%._~-]+)?")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def hostile(text):
    """One name per dangerous start."""
    return [f"{start}{text}" for start in DANGEROUS_STARTS]


def assert_defused(cells):
    texts = [cell for cell in cells if isinstance(cell, str)]
    assert texts
    dangerous = [cell for cell in texts if cell.startswith(DANGEROUS_STARTS)]
    assert not dangerous


def csv_cells(data):
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def xlsx_cells(data):
    workbook = load_workbook(io.BytesIO(data))
    return [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def hostile_campaign(school, school_admin):
    school.name = '=HYPERLINK("http://evil.example";"Collège")'
    school.save()
    campaign = create_campaign(
        school=school,
        owner=school_admin,
        name='=HYPERLINK("http://evil.example";"clic")',
        type="assessment",
        competence_codes=CODES,
    )
    for index, division_name in enumerate(hostile("3e")):
        division = DivisionFactory(school=school, name=division_name)
        names = hostile(f"NOM{index}")
        participations = add_participations(
            campaign, division, ["shared", "to_share", "started", "shared", "shared", "started"], last_names=names
        )
        for participation, first_name in zip(participations, hostile("Prénom"), strict=True):
            participation.pupil.first_name = first_name
            participation.pupil.save()
    return campaign


@pytest.mark.django_db
def test_no_cell_of_the_results_exports_starts_a_formula(hostile_campaign):
    results = campaign_results(hostile_campaign)
    csv_data = csv_cells(build_csv(results))
    assert_defused(csv_data)
    assert f"'{hostile_campaign.name}" in csv_data and "'-NOM0" in csv_data and "'\r3e" in csv_data
    cells = xlsx_cells(build_xlsx(results))
    assert_defused(cells)
    assert f"'{hostile_campaign.name}" in cells and f"'{hostile_campaign.school.name}" in cells  # the summary
    assert "'@Prénom" in cells and "'\t3e" in cells
    assert any(isinstance(cell, int) for cell in cells)  # numbers stay numbers


@pytest.mark.django_db
def test_no_cell_of_the_credentials_csv_starts_a_formula(client_for, school, school_admin):
    division = DivisionFactory(school=school, name="=3e A")
    for last_name, first_name in zip(hostile("MARTIN"), hostile("Léa"), strict=True):
        PupilFactory(school=school, division=division, last_name=last_name, first_name=first_name)
    response = client_for(school_admin).post(
        url("credentials_file", school, division_id=division.id, fmt="csv"), {"action": "generer"}
    )
    assert response.status_code == 200
    cells = csv_cells(response.content)
    assert_defused(cells)
    assert "'=3e A" in cells and "'+MARTIN" in cells and "'\rLéa" in cells


def assert_clean_download(response):
    assert response.status_code == 200, response
    header = response["Content-Disposition"]
    assert SAFE_HEADER.fullmatch(header), header
    assert "X-Injected" not in response.headers


@pytest.mark.django_db
def test_a_class_name_with_a_line_break_and_quotes_downloads_everywhere(client_for, school, school_admin):
    division = DivisionFactory(school=school, name=HOSTILE_DIVISION)
    PupilFactory.create_batch(2, school=school, division=division)
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée", type="assessment", competence_codes=CODES
    )
    add_participations(campaign, division, ["shared", "started"])
    client = client_for(school_admin)
    for fmt, action in (("csv", "generer"), ("pdf", "reinitialiser"), ("csv", "reinitialiser")):
        data = {"action": action, "tout": "1", "confirme": "1"}
        response = client.post(url("credentials_file", school, division_id=division.id, fmt=fmt), data)
        assert_clean_download(response)
    assert_clean_download(client.get(url("campaign_letter", school, campaign_id=campaign.id, division_id=division.id)))
    assert_clean_download(client.get(url("campaign_sheet", school, campaign_id=campaign.id)))
    assert_clean_download(client.get(url("class_reminder", school, division_id=division.id)))
    for kind in Report.Kind.values:
        report = Report.objects.create(
            school=school, campaign=campaign, requested_by=school_admin, kind=kind, division=division
        )
        assert process_report(report.id) == Report.Status.DONE
        response = client.get(url("report_download", school, report_id=report.id))
        assert_clean_download(response)
        # Read to the end: the test client then closes the file without closing the database connection
        # (response.close() would send request_finished, and PostgreSQL's connection would be gone mid-test).
        assert b"".join(response.streaming_content)
