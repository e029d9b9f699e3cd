"""Exports as background jobs: files with the figures of the results pages, permissions, safe re-runs."""

import html
import io
import logging
import random
import time

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from crcn import engine
from crcn.levels import max_reachable_level
from crcn.models import Challenge, Competence
from orga.audit.models import AuditEvent
from orga.campaigns.services import create_campaign, current_bank, finish
from orga.models import Answer, CompetenceResult, Membership, Participation, Report
from orga.results import exports, pix_csv
from orga.results.exports import build_class_pdf, build_csv, build_xlsx, process_report, sheet_title
from orga.results.frames import campaign_results, participations_visible_to, target_skills, tube_analysis
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, UserFactory

CODES = ["1.1", "2.3", "4.1"]
STATUS = Participation.Status
# Out of 8 pupils: 5 shared, 2 to share, 1 started.
PATTERN = ["shared", "shared", "to_share", "shared", "started", "shared", "to_share", "shared"]


@pytest.fixture(autouse=True)
def _media(request, settings, tmp_path):
    # The real-worker test keeps the configured MEDIA_ROOT: the worker process writes there.
    if request.node.get_closest_marker("worker") is None:
        settings.MEDIA_ROOT = tmp_path / "media"


def add_participations(campaign, division, statuses, seed=1, last_names=None):
    """Participations with results drawn at random (levels 0-5, validated skills up to the level)."""
    rng = random.Random(seed)
    competences = {c.code: c for c in campaign.competences.all()}
    skills = target_skills(list(competences))
    by_competence = {}
    for skill_id, (code, _, level) in skills.items():
        by_competence.setdefault(code, []).append((level, skill_id))
    challenges = list(Challenge.objects.filter(skill_id__in=list(skills)).values_list("id", "skill_id")[:5])
    now = timezone.now()
    created = []
    for index, status in enumerate(statuses):
        extra = {"last_name": last_names[index]} if last_names else {}
        pupil = PupilFactory(school=campaign.school, division=division, **extra)
        participation = Participation.objects.create(campaign=campaign, pupil=pupil, status=status)
        created.append(participation)
        if status == STATUS.STARTED:
            Answer.objects.bulk_create(
                Answer(participation=participation, challenge_id=c, skill_id=s, result="ok") for c, s in challenges[:3]
            )
            continue
        rows = []
        for code, competence in competences.items():
            level = rng.randint(0, 5)
            validated = sorted(s for lvl, s in by_competence[code] if lvl <= level and rng.random() < 0.9)
            rows.append(
                CompetenceResult(
                    participation=participation,
                    competence=competence,
                    level=level,
                    pix=8 * level + rng.randint(0, 7),
                    validated_skills=validated,
                    tested_skills=len(validated) + rng.randint(0, 4),
                )
            )
        CompetenceResult.objects.bulk_create(rows)
        participation.pix = sum(r.pix for r in rows)
        participation.finished_at = now
        if status == STATUS.SHARED:
            participation.shared_at = now
        participation.save()
    return created


@pytest.fixture
def division_a(school):
    return DivisionFactory(school=school, name="3e A")


@pytest.fixture
def division_b(school):
    return DivisionFactory(school=school, name="3e B")


@pytest.fixture
def campaign(school, school_admin, division_a, division_b):
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée 3e", type="assessment", competence_codes=CODES
    )
    add_participations(campaign, division_a, PATTERN, seed=1)
    add_participations(campaign, division_b, PATTERN[:5], seed=2)
    return campaign


@pytest.fixture
def teacher_of_a(teacher, school, division_a):
    """The teacher follows 3e A only, and does not own the campaign."""
    Membership.objects.get(user=teacher, school=school).divisions.set([division_a])
    return teacher


def make_report(campaign, user, kind, division=None):
    return Report.objects.create(
        school=campaign.school, campaign=campaign, requested_by=user, kind=kind, division=division
    )


def produced(report):
    assert process_report(report.id) == Report.Status.DONE
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as f:
        return f.read()


def as_int(value):
    return None if pd.isna(value) else int(round(float(value)))


def frame_int(value):
    return None if pd.isna(value) else int(value)


# --- CSV -------------------------------------------------------------------------------------------


def read_csv(data):
    """The results CSV as pandas reads it: decimal comma, "NA" missing, "" kept as text."""
    return pd.read_csv(
        io.BytesIO(data),
        sep=";",
        encoding="utf-8-sig",
        decimal=",",
        dtype={"Code": str},
        keep_default_na=False,
        na_values=["NA"],
    )


def titles(codes=CODES):
    return dict(Competence.objects.filter(code__in=codes).values_list("code", "title"))


@pytest.mark.django_db
def test_csv_has_the_figures_of_campaign_results(campaign, school, school_admin):
    """Pix's columns with the frame's figures, then our level and pix (tests/orga/test_pix_csv.py: byte for byte)."""
    data = produced(make_report(campaign, school_admin, Report.Kind.RESULTS_CSV))
    assert data.startswith(b'\xef\xbb\xbf"Nom de l\'organisation";') and b"\r" not in data
    table = read_csv(data)
    results = campaign_results(campaign)
    frame = results.frame.sort_values(  # Pix's order: family name, first name, latest first
        ["family_name", "first_name", "created_at"],
        ascending=[True, True, False],
        key=lambda s: s if s.name == "created_at" else s.map(pix_csv.name_key),
        kind="stable",
    )
    assert list(frame["division"]) != sorted(frame["division"])  # the classes are mixed, unlike the pages
    names = titles()
    targets = results.target_counts()
    assert list(table.columns[:13]) == list(pix_csv.BASE_HEADER)
    assert list(table.columns) == pix_csv.header(
        [names[c] for c in CODES],
        ["Information et données", "Communication et collaboration", "Protection et sécurité"],
        with_levels=True,
    )
    assert len(table) == len(frame) == 13
    assert set(table["Nom de l'organisation"]) == {school.name} and set(table["Code"]) == {campaign.code}
    assert set(table["ID Campagne"]) == {campaign.id} and set(table["Parcours"]) == {campaign.target_profile_name}
    assert (table["Partage (O/N)"] == "Oui").sum() == (frame["status"] == STATUS.SHARED).sum() == 8
    assert table["Date et heure de début (Europe/Paris)"].str.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").all()
    for (_, row), (_, expected) in zip(table.iterrows(), frame.iterrows(), strict=True):
        assert (row["Nom du Participant"], row["Prénom du Participant"], row["Classe"]) == (
            expected["family_name"],
            expected["first_name"],
            expected["division"],
        )
        finished = expected["status"] != STATUS.STARTED
        assert row["% de progression"] == (1 if finished else pytest.approx(expected["answered"] / 24, abs=0.0005))
        if expected["status"] != STATUS.SHARED:  # not sent: "NA" after the sending column
            assert row["Partage (O/N)"] == "Non"
            assert row.iloc[11:].isna().all()
            continue
        assert row["Partage (O/N)"] == "Oui"
        assert row["Date et heure du partage (Europe/Paris)"] != ""
        mastered = {code: frame_int(expected[f"validated:{code}"]) or 0 for code in CODES}
        overall = row["% maitrise de l'ensemble des acquis du profil"]
        assert overall == float(pix_csv.ratio(sum(mastered.values()), sum(targets.values())))
        for code in CODES:
            name = names[code]
            assert row[f"Nombre d'acquis du profil cible dans la compétence {name}"] == targets[code] > 0
            assert row[f"Acquis maitrisés dans la compétence {name}"] == mastered[code]
            assert row[f"% de maitrise des acquis de la compétence {name}"] == float(
                pix_csv.ratio(mastered[code], targets[code])
            )
            assert row[f"Niveau pour la compétence {name}"] == frame_int(expected[f"level:{code}"])
            assert row[f"Nombre de pix pour la compétence {name}"] == frame_int(expected[f"pix:{code}"])
        area = "Information et données"  # 1.1 alone among CODES
        assert row[f"Acquis maitrisés du domaine {area}"] == mastered["1.1"]


@pytest.mark.django_db
def test_teacher_export_holds_only_the_pupils_they_may_see(campaign, school, teacher_of_a):
    data = produced(make_report(campaign, teacher_of_a, Report.Kind.RESULTS_CSV))
    table = read_csv(data)
    membership = Membership.objects.get(user=teacher_of_a)
    visible = campaign_results(campaign, participations_visible_to(campaign, teacher_of_a, membership)).frame
    assert set(table["Classe"]) == {"3e A"} and len(table) == len(visible) == 8
    assert sorted(table["Nom du Participant"]) == sorted(visible["family_name"])


@pytest.mark.django_db
def test_csv_quotes_what_a_spreadsheet_would_run_as_a_formula(school, school_admin, division_a):
    campaign = create_campaign(
        school=school, owner=school_admin, name="=HYPERLINK(1)", type="assessment", competence_codes=CODES
    )
    add_participations(campaign, division_a, ["shared"], last_names=["@SOMME(A1)"])
    table = read_csv(build_csv(campaign_results(campaign)))
    assert table["Nom de la campagne"][0] == "'=HYPERLINK(1)" and table["Nom du Participant"][0] == "'@SOMME(A1)"


# --- XLSX ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_has_the_figures_of_campaign_results(campaign, school_admin):
    data = produced(make_report(campaign, school_admin, Report.Kind.RESULTS_XLSX))
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None)
    assert list(sheets) == ["Synthèse", "3e A", "3e B"]
    results = campaign_results(campaign)
    frame = results.frame

    summary = sheets["Synthèse"]
    facts = dict(zip(summary[0], summary[1], strict=True))
    assert facts["Campagne"] == campaign.name and facts["Code"] == campaign.code
    assert facts["En cours"] == (frame["status"] == STATUS.STARTED).sum() == 2
    assert facts["En attente d'envoi"] == (frame["status"] == STATUS.TO_SHARE).sum() == 3
    assert facts["Résultats reçus"] == (frame["status"] == STATUS.SHARED).sum() == 8
    assert facts["Total"] == 13
    header = summary.index[summary[0] == "Compétence"][0]
    per_competence = summary.iloc[header + 1 : header + 1 + len(CODES)]
    shared = results.shared()
    for (_, row), code in zip(per_competence.iterrows(), CODES, strict=True):
        levels = shared[f"level:{code}"].astype(int)
        assert row[0] == code and row[2] == len(levels)
        assert row[3] == pytest.approx(round(float(levels.mean()), 1))
        for level in range(6):
            assert row[4 + level] == pytest.approx((levels == level).sum() / len(levels))

    for division in ("3e A", "3e B"):
        table = pd.read_excel(io.BytesIO(data), sheet_name=division)
        expected = frame[frame["division"] == division]
        assert len(table) == len(expected)
        assert list(table.columns) == list(exports.export_columns(CODES))
        assert list(table["Nom"]) == list(expected["last_name"])
        for (_, row), (_, want) in zip(table.iterrows(), expected.iterrows(), strict=True):
            assert as_int(100 * row["% de maîtrise de l'ensemble des acquis du profil"]) == frame_int(want["mastery"])
            assert as_int(100 * row["% de progression"]) == want["progress"]
            for code in CODES:
                assert as_int(row[f"Niveau {code}"]) == frame_int(want[f"level:{code}"])
                assert as_int(100 * row[f"% de maîtrise des acquis de la compétence {code}"]) == frame_int(
                    want[f"mastery:{code}"]
                )
                assert as_int(row[f"Acquis maîtrisés dans la compétence {code}"]) == frame_int(
                    want[f"validated:{code}"]
                )
        assert (table["Partage (O/N)"] == "O").sum() == (expected["status"] == STATUS.SHARED).sum()


@pytest.mark.django_db
def test_xlsx_is_formatted(campaign):
    workbook = load_workbook(io.BytesIO(build_xlsx(campaign_results(campaign))))
    sheet = workbook["3e A"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    columns = [cell.value for cell in sheet[1]]
    mastery = columns.index("% de maîtrise de l'ensemble des acquis du profil") + 1
    # Rows are sorted by name, so which pupil comes first varies; an empty cell carries no format.
    masteries = [sheet.cell(row, mastery) for row in range(2, sheet.max_row + 1)]
    filled = [cell for cell in masteries if cell.value is not None]
    assert filled and all(cell.number_format == "0%" for cell in filled)
    assert all(cell.number_format == "General" for cell in masteries if cell.value is None)
    started = [sheet.cell(row, columns.index("Date de début") + 1) for row in range(2, sheet.max_row + 1)]
    assert all(cell.number_format == "DD/MM/YYYY" for cell in started if cell.value is not None)
    assert sheet.column_dimensions["D"].width >= 15
    ranges = {str(rule.sqref) for rule in sheet.conditional_formatting}
    level = sheet.cell(1, columns.index("Niveau 1.1") + 1).column_letter
    assert f"{level}2:{level}{sheet.max_row}" in ranges
    assert any(rule.colorScale is not None for cf in sheet.conditional_formatting for rule in cf.rules)


@pytest.mark.django_db
def test_sheet_names_are_valid_and_unique():
    used = {"synthèse"}
    names = [
        sheet_title("Terminale STMG : option [gestion] / finance", used),
        sheet_title("Terminale STMG : option [gestion] / finance", used),
        sheet_title("Synthèse", used),
        sheet_title("", used),
        sheet_title("'3e A'", used),
    ]
    assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") and n[0] != "'" for n in names)
    assert len({n.lower() for n in names} | {"synthèse"}) == len(names) + 1
    assert names[3] == "Sans classe" and names[4] == "3e A"


@pytest.mark.django_db
def test_xlsx_of_a_long_invalid_class_name_opens(school, school_admin):
    division = DivisionFactory(school=school, name="1re STI2D/SIN [groupe 2]: *numérique* très long")
    campaign = create_campaign(school=school, owner=school_admin, name="C", type="assessment", competence_codes=CODES)
    add_participations(campaign, division, ["shared", "started"])
    workbook = load_workbook(io.BytesIO(build_xlsx(campaign_results(campaign))))
    assert workbook.sheetnames == ["Synthèse", "1re STI2D-SIN -groupe 2-- -numé"]


# --- PDF -------------------------------------------------------------------------------------------


def pdf_pages(data):
    """Each page's text, whitespace collapsed (table cells wrap)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.django_db
def test_class_pdf_has_a_cover_and_a_page_per_pupil(campaign, school_admin, division_a):
    data = produced(make_report(campaign, school_admin, Report.Kind.CLASS_PDF, division=division_a))
    pages = pdf_pages(data)
    results = campaign_results(campaign, campaign.participations.filter(pupil__division=division_a))
    frame = results.frame
    assert len(frame) == 8
    cover = pages[: len(pages) - len(frame)]
    pupil_pages = pages[len(cover) :]
    cover_text = "\n".join(cover)
    assert "Bilan de classe — 3e A" in cover_text and "Profil de la classe" in cover_text
    assert "Besoins collectifs" in cover_text
    needs = [a for a in tube_analysis(results) if a["label"]]
    assert needs and needs[0]["tube"].title in cover_text and "Très recommandé" in cover_text
    tutorial = next(t for a in needs for t in a["tutorials"])
    assert tutorial.title in cover_text
    assert f"{tutorial.get_format_display()} · {tutorial.duration_minutes} min · Niveau {tutorial.level}" in cover_text
    for text, (_, row) in zip(pupil_pages, frame.iterrows(), strict=True):
        name = f"{row['last_name']} {row['first_name']}"
        assert name in text
        assert sum(name in page for page in pages) == 1  # one page each, not split
        if row["status"] == STATUS.STARTED:
            assert "Parcours en cours" in text
        else:
            assert "À travailler en priorité" in text and "Niveaux par compétence" in text
            for code in CODES:
                level, pix = row[f"level:{code}"], row[f"pix:{code}"]
                if pd.notna(level):  # the gauge, the level and its pix in one cell
                    filled = "■" * int(level) + "□" * (max_reachable_level() - int(level))
                    assert f"{filled} {int(level)} ({int(pix)} pix)" in text
    assert "3e B" not in "\n".join(pages)


def test_the_level_gauge_has_a_square_a_level():
    assert exports.level_gauge(2, 5) == "■■□□□"
    assert exports.level_gauge(0, 5) == "□□□□□"
    assert exports.level_gauge(6, 6) == "■■■■■■"
    assert exports.level_gauge(7, 6) == "■■■■■■"  # never past the scale


@pytest.mark.django_db
def test_class_pdf_of_35_pupils_on_16_competences_has_a_page_each(school, school_admin, overflows):
    division = DivisionFactory(school=school, name="2nde 4")
    campaign = create_campaign(
        school=school,
        owner=school_admin,
        name="Tout le référentiel",
        type="profiles_collection",
        competence_codes=[f"{d}.{c}" for d, n in ((1, 3), (2, 4), (3, 4), (4, 3), (5, 2)) for c in range(1, n + 1)],
    )
    add_participations(campaign, division, ["shared"] * 30 + ["to_share"] * 3 + ["started"] * 2, seed=3)
    results = campaign_results(campaign, campaign.participations.filter(pupil__division=division))
    analysis = tube_analysis(results)
    pages = pdf_pages(build_class_pdf(results, division, analysis))
    pupil_pages = [p for p in pages if "2nde 4 · Tout le référentiel" in p]
    assert len(pupil_pages) == 35  # its time is measured by bench/results_pages.py (docs/benchmarks.md)
    assert overflows() == []  # nothing cut at the right edge of the page


# --- Running the task ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_twice_leaves_one_file_and_done(campaign, school_admin, settings):
    report = make_report(campaign, school_admin, Report.Kind.RESULTS_XLSX)
    assert process_report(report.id) == Report.Status.DONE
    assert process_report(report.id) == Report.Status.DONE  # the second delivery finds it done
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.progress == 100 and report.finished_at
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name.endswith(f"resultats-{campaign.code}.xlsx")
    assert report.file.name == str(files[0].relative_to(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_a_running_report_is_not_claimed_again(campaign, school_admin):
    report = make_report(campaign, school_admin, Report.Kind.RESULTS_CSV)
    Report.objects.filter(id=report.id).update(status=Report.Status.RUNNING, heartbeat_at=timezone.now())
    assert process_report(report.id) == Report.Status.RUNNING  # alive elsewhere: not taken over
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and not report.file and report.attempts == 0


@pytest.mark.django_db
def test_a_failure_is_logged_and_told_in_french(campaign, school_admin, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(exports, "build_xlsx", broken)
    report = make_report(campaign, school_admin, Report.Kind.RESULTS_XLSX)
    with caplog.at_level(logging.ERROR, logger="jobs.runner"):
        assert process_report(report.id) == Report.Status.FAILED
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.finished_at and not report.file
    assert report.error.startswith("Une erreur inattendue") and "boom" not in report.error
    assert "boom" in caplog.text


@pytest.mark.django_db
def test_a_member_who_left_gets_no_file(campaign, teacher_of_a):
    report = make_report(campaign, teacher_of_a, Report.Kind.RESULTS_CSV)
    Membership.objects.filter(user=teacher_of_a).update(is_active=False)
    assert process_report(report.id) == Report.Status.FAILED
    report.refresh_from_db()
    assert "plus membre" in report.error and not report.file


# --- Views -----------------------------------------------------------------------------------------


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def create(client, school, campaign, kind, division=None):
    data = {"campaign": campaign.id, "kind": kind, "division": division.id if division else ""}
    return client.post(url("report_create", school), data)


@pytest.mark.django_db
def test_teacher_asks_follows_and_downloads(
    client_for, school, campaign, teacher_of_a, division_a, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(teacher_of_a)
    assert "Préparer le fichier" in client.get(url("reports", school)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, school, campaign, Report.Kind.RESULTS_XLSX, division_a)
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == url("report_detail", school, report_id=report.id)
    assert (report.requested_by, report.division, report.status) == (teacher_of_a, division_a, Report.Status.DONE)
    html = client.get(response.url).content.decode()
    assert "Votre fichier est prêt" in html and url("report_download", school, report_id=report.id) in html
    download = client.get(url("report_download", school, report_id=report.id))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download["Content-Disposition"] == f'attachment; filename="resultats-{campaign.code}-3e-a.xlsx"'
    body = b"".join(download.streaming_content)
    assert pd.read_excel(io.BytesIO(body), sheet_name=None).keys() == {"Synthèse", "3e A"}
    listing = client.get(url("reports", school)).content.decode()
    assert "Résultats (Excel)" in listing and "Prêt" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "content_type", "name"),
    [
        (Report.Kind.RESULTS_CSV, "text/csv; charset=utf-8", "resultats-{code}.csv"),
        (Report.Kind.CLASS_PDF, "application/pdf", "bilan-{code}-3e-a.pdf"),
    ],
)
def test_download_types(client_for, school, campaign, school_admin, division_a, kind, content_type, name):
    report = make_report(campaign, school_admin, kind, division_a if kind == Report.Kind.CLASS_PDF else None)
    produced(report)
    response = client_for(school_admin).get(url("report_download", school, report_id=report.id))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name.format(code=campaign.code)}"'
    assert response["Cache-Control"] == "private, no-store"
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.RESULTS_EXPORTED)  # the journal keeps it
    assert (event.actor, event.school, event.address) == (school_admin, school, "127.0.0.1")
    assert event.target_label == name.format(code=campaign.code)


@pytest.mark.django_db
def test_progress_is_polled_until_done(client_for, school, campaign, school_admin, division_a):
    report = make_report(campaign, school_admin, Report.Kind.CLASS_PDF, division=division_a)
    Report.objects.filter(id=report.id).update(status=Report.Status.RUNNING, progress=40)
    client = client_for(school_admin)
    detail = url("report_detail", school, report_id=report.id)
    page = client.get(detail).content.decode()
    assert "<progress" in page and 'value="40"' in page and f'hx-get="{detail}"' in page and "every 1s" in page
    partial = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="report-status"') and "<html" not in partial
    # Not ready: the file's address leads back to the page.
    assert client.get(url("report_download", school, report_id=report.id)).url == detail
    Report.objects.filter(id=report.id).update(status=Report.Status.FAILED, error="La classe n'existe plus.")
    partial = html.unescape(client.get(detail, headers={"HX-Request": "true"}).content.decode())
    assert "hx-get" not in partial and "La classe n'existe plus." in partial and "Relancer l'export" in partial


@pytest.mark.django_db
def test_class_pdf_needs_a_class_and_teachers_their_classes(client_for, school, campaign, teacher_of_a, division_b):
    client = client_for(teacher_of_a)
    response = create(client, school, campaign, Report.Kind.CLASS_PDF)
    assert response.status_code == 400 and "choisissez-la" in response.content.decode()
    response = create(client, school, campaign, Report.Kind.CLASS_PDF, division_b)
    assert response.status_code == 400 and "Vous ne suivez pas cette classe" in response.content.decode()
    response = client.post(url("report_create", school), {"campaign": campaign.id, "kind": "zip"})
    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_another_schools_campaign_or_class_is_404(client_for, school, campaign, school_admin, other_school):
    foreign = create_campaign(
        school=other_school, owner=UserFactory(), name="Ailleurs", type="assessment", competence_codes=CODES
    )
    client = client_for(school_admin)
    assert create(client, school, foreign, Report.Kind.RESULTS_CSV).status_code == 404
    foreign_division = DivisionFactory(school=other_school, name="3e A")
    assert create(client, school, campaign, Report.Kind.CLASS_PDF, foreign_division).status_code == 404
    assert client.get(url("report_create", school)).status_code == 405
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_permissions_on_every_view(client_for, school, campaign, teacher, school_admin, other_school_admin, pupil):
    report = make_report(campaign, teacher, Report.Kind.RESULTS_CSV)
    produced(report)
    post = {"campaign": campaign.id, "kind": Report.Kind.RESULTS_CSV}
    views = [
        ("get", url("reports", school)),
        ("post", url("report_create", school)),
        ("get", url("report_detail", school, report_id=report.id)),
        ("get", url("report_download", school, report_id=report.id)),
    ]
    expected = {teacher: [200, 302, 200, 200], school_admin: [200, 302, 200, 200]}
    expected.update({other_school_admin: [404] * 4, pupil: [403] * 4})
    for user, codes in expected.items():
        client = client_for(user)
        for (method, address), code in zip(views, codes, strict=True):
            response = client.post(address, post) if method == "post" else client.get(address)
            assert response.status_code == code, (user, address, response.status_code)
    client = client_for(None)
    for method, address in views:
        response = client.post(address, post) if method == "post" else client.get(address)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), address


@pytest.mark.django_db
def test_a_colleague_cannot_see_or_download_someone_elses_report(client_for, school, campaign, teacher, school_admin):
    """Documented choice: 404 (not 403), ids are sequential and a colleague's exports are not theirs to know."""
    colleague = MembershipFactory(school=school, user=UserFactory(username="collegue")).user
    report = make_report(campaign, teacher, Report.Kind.RESULTS_CSV)
    produced(report)
    client = client_for(colleague)
    assert client.get(url("report_detail", school, report_id=report.id)).status_code == 404
    assert client.get(url("report_download", school, report_id=report.id)).status_code == 404
    assert f'data-report="{report.id}"' not in client.get(url("reports", school)).content.decode()
    admin_list = client_for(school_admin).get(url("reports", school)).content.decode()
    assert f'data-report="{report.id}"' in admin_list and teacher.display_name in admin_list


@pytest.mark.django_db
def test_the_list_has_a_fixed_number_of_queries(client_for, school, school_admin, division_a):
    campaigns = [
        create_campaign(school=school, owner=school_admin, name=f"C{i}", type="assessment", competence_codes=CODES)
        for i in range(3)
    ]
    kinds = list(Report.Kind.values)
    client = client_for(school_admin)

    def count_with(total):
        Report.objects.all().delete()
        for i in range(total):
            report = make_report(campaigns[i % 3], school_admin, kinds[i % 3], division_a if i % 2 else None)
            Report.objects.filter(id=report.id).update(status=Report.Status.values[i % 4])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("reports", school))
        assert response.status_code == 200
        assert response.content.decode().count("data-report=") == total
        return len(queries)

    assert count_with(2) == count_with(10)


# --- With a real worker ----------------------------------------------------------------------------


@pytest.mark.worker
def test_xlsx_export_is_produced_by_the_worker(framework, celery_worker, client, school, school_admin):
    """Through the pages, with a real worker and broker when they are configured (CI)."""
    division = DivisionFactory(school=school, name="4e B")
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée 4e", type="assessment", competence_codes=CODES
    )
    add_participations(campaign, division, PATTERN, seed=4)
    client.force_login(school_admin)
    response = create(client, school, campaign, Report.Kind.RESULTS_XLSX)
    assert response.status_code == 302
    report = Report.objects.get()
    deadline = time.monotonic() + 60
    while report.is_running and time.monotonic() < deadline:
        time.sleep(0.2)
        assert client.get(response.url, headers={"HX-Request": "true"}).status_code == 200
        report.refresh_from_db()
    try:
        assert report.status == Report.Status.DONE, report.error
        download = client.get(url("report_download", school, report_id=report.id))
        sheets = pd.read_excel(io.BytesIO(b"".join(download.streaming_content)), sheet_name=None)
        assert list(sheets) == ["Synthèse", "4e B"] and len(sheets["4e B"]) == len(PATTERN)
    finally:
        report.file.delete(save=False)


@pytest.mark.django_db
def test_the_exports_show_the_figures_of_the_results_page(client_for, school, school_admin, campaign):
    """Read back with pandas, the CSV and the Excel file give what the Résultats tab shows, pupil by pupil."""
    import re

    page = client_for(school_admin).get(
        reverse("orga:campaign_results", kwargs={"uai": school.uai, "campaign_id": campaign.id})
    )
    on_page = {}
    for row in re.findall(r'<tr data-status="\w+">(.*?)</tr>', page.content.decode(), re.S):
        name = html.unescape(re.search(r'<th scope="row">(.*?)</th>', row).group(1))
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        mastery = cells[3].strip()
        levels = [
            int(m) if m else None
            for m in (re.search(r"niv\. (\d)", c) and re.search(r"niv\. (\d)", c).group(1) for c in cells[5:])
        ]
        on_page[name] = (None if mastery == "—" else int(mastery.rstrip(" %")), levels)
    assert len(on_page) == 13

    results = campaign_results(campaign)
    names = titles()
    csv = read_csv(build_csv(results)).rename(
        columns={
            "Nom du Participant": "Nom",
            "Prénom du Participant": "Prénom",
            "% maitrise de l'ensemble des acquis du profil": "% de maîtrise de l'ensemble des acquis du profil",
            **{f"Niveau pour la compétence {names[code]}": f"Niveau {code}" for code in CODES},
        }
    )
    xlsx = pd.concat(pd.read_excel(io.BytesIO(build_xlsx(results)), sheet_name=name) for name in ("3e A", "3e B"))
    # The CSV writes Pix's ratios (0,62), the page a percentage, and Excel a fraction shown with the % format.
    # Only sent results show in the CSV; the page and Excel also show those finished but not sent.
    for table, only_sent in ((csv, True), (xlsx, False)):
        assert len(table) == len(on_page)
        for _, row in table.iterrows():
            mastery, levels = on_page[f"{row['Nom']} {row['Prénom']}"]
            if only_sent and row["Partage (O/N)"] != "Oui":
                mastery, levels = None, [None] * len(CODES)
            overall = row["% de maîtrise de l'ensemble des acquis du profil"]
            if pd.isna(overall):
                assert mastery is None
            else:
                assert round(float(overall) * 100) == mastery
            assert [as_int(row[f"Niveau {code}"]) for code in CODES] == levels


# --- Skills tested and mastered --------------------------------------------------------------------


def simulate_pupil(participation, codes, true_level, rng):
    """A pupil answering right the questions of their level or below (one slip in 5), until the test ends."""
    bank = current_bank()
    answers = []
    while (challenge := engine.next_challenge(bank, codes, answers, seed=participation.id)) is not None:
        skill = bank.skills[challenge.skill_id]
        correct = skill.level <= true_level and rng.random() > 0.2
        answers.append(engine.AnswerInfo(challenge.id, challenge.skill_id, correct))
    assert finish(participation, codes, answers)


@pytest.mark.django_db
def test_skills_mastered_never_exceed_skills_tested_after_simulated_tests(school, school_admin, division_a):
    campaign = create_campaign(
        school=school, owner=school_admin, name="Simulée", type="assessment", competence_codes=CODES
    )
    rng = random.Random(7)
    for true_level in (0, 1, 2, 3, 4, 5, 6, 3, 5):
        pupil = PupilFactory(school=school, division=division_a)
        simulate_pupil(Participation.objects.create(campaign=campaign, pupil=pupil), CODES, true_level, rng)
    results = list(CompetenceResult.objects.filter(participation__campaign=campaign))
    assert len(results) == 9 * len(CODES)
    assert any(len(r.validated_skills) > 0 for r in results)
    for result in results:
        assert len(result.validated_skills) <= result.tested_skills, result
    table = read_csv(produced(make_report(campaign, school_admin, Report.Kind.RESULTS_CSV)))
    for code, name in titles().items():  # Pix's file has the profile's skills, not those tested
        target = table[f"Nombre d'acquis du profil cible dans la compétence {name}"]
        validated = table[f"Acquis maitrisés dans la compétence {name}"]
        assert (validated <= target).all(), (code, list(zip(validated, target, strict=True)))
        assert (target > 0).all()
    data = produced(make_report(campaign, school_admin, Report.Kind.RESULTS_XLSX))
    sheet = pd.read_excel(io.BytesIO(data), sheet_name=division_a.name)
    for code in CODES:
        assert (
            sheet[f"Acquis maîtrisés dans la compétence {code}"] <= sheet[f"Acquis testés dans la compétence {code}"]
        ).all()


@pytest.mark.django_db
def test_results_stored_with_questions_counted_show_at_least_their_mastered_skills(campaign):
    """Before, tested_skills counted questions answered: those results are read as at least the validated ones."""
    result = CompetenceResult.objects.filter(participation__campaign=campaign).exclude(validated_skills=[]).first()
    result.tested_skills = 1
    result.save()
    frame = campaign_results(campaign).frame
    row = frame[frame["participation_id"] == result.participation_id].iloc[0]
    code = result.competence.code
    assert row[f"tested:{code}"] == len(result.validated_skills) >= row[f"validated:{code}"]


# --- Streamed from the database, a chunk at a time (issue 14) --------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    from orga.results import sources

    monkeypatch.setattr(sources, "CHUNK", 3)


@pytest.fixture
def mixed_names(school, school_admin, division_a, division_b):
    """Names that sort differently by case and accents, twice the same pupil's name, a pupil without a class."""
    campaign = create_campaign(
        school=school, owner=school_admin, name="Noms", type="assessment", competence_codes=CODES
    )
    names = ["émile", "Durand", "EMILE", "Zola", "durand", "Élan", "Abel"]
    add_participations(campaign, division_a, PATTERN[:4], seed=3, last_names=names[:4])
    add_participations(campaign, division_b, PATTERN[4:7], seed=4, last_names=names[4:])
    add_participations(campaign, None, ["shared", "started"], seed=5, last_names=["Durand", "Zola"])
    Participation.objects.filter(campaign=campaign, pupil__last_name="Abel").update(
        created_at=timezone.now() - timezone.timedelta(days=3)
    )
    return campaign


def everyone(campaign):
    return Participation.objects.current().filter(campaign=campaign)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_the_streamed_csv_is_the_whole_files_byte_for_byte(mixed_names, campaign, teacher_of_a):
    from orga.results.sources import DatabaseSource

    for each in (mixed_names, campaign):
        chunks = list(exports.csv_chunks(DatabaseSource(each, everyone(each)), lines_per_chunk=2))
        assert len(chunks) > 3 and b"".join(chunks) == build_csv(campaign_results(each))
    membership = Membership.objects.get(user=teacher_of_a)
    visible = participations_visible_to(campaign, teacher_of_a, membership)
    streamed = b"".join(exports.csv_chunks(DatabaseSource(campaign, visible)))
    assert streamed == build_csv(campaign_results(campaign, visible))


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_the_streamed_workbook_has_the_whole_ones_sheets(mixed_names):
    from orga.results.sources import DatabaseSource

    today = timezone.localdate()
    streamed = build_xlsx(DatabaseSource(mixed_names, everyone(mixed_names)), today=today)
    whole = build_xlsx(campaign_results(mixed_names), today=today)
    streamed_sheets = pd.read_excel(io.BytesIO(streamed), sheet_name=None, header=None)
    whole_sheets = pd.read_excel(io.BytesIO(whole), sheet_name=None, header=None)
    assert list(streamed_sheets) == list(whole_sheets) == ["Synthèse", "Sans classe", "3e A", "3e B"]
    for name, sheet in whole_sheets.items():
        pd.testing.assert_frame_equal(streamed_sheets[name], sheet)
    sheet = load_workbook(io.BytesIO(streamed))["3e A"]
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}5"  # 4 pupils


@pytest.mark.django_db
def test_a_report_reads_a_fixed_number_of_queries_a_chunk(school, school_admin, division_a, small_chunks):
    campaign = create_campaign(school=school, owner=school_admin, name="R", type="assessment", competence_codes=CODES)
    counts = []
    for _chunk in range(3):  # 3 participants a chunk (small_chunks): one chunk, two, then three
        add_participations(campaign, division_a, PATTERN[:3])
        report = make_report(campaign, school_admin, Report.Kind.RESULTS_XLSX)
        with CaptureQueriesContext(connection) as queries:
            produced(report)
        counts.append(len(queries))
    assert counts[2] - counts[1] == counts[1] - counts[0] <= 5
