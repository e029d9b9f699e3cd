"""The letters to the guardians of every class of a campaign, as one background job (issue 14): progress, the file,
a second delivery, who may ask and download it."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orga.campaigns import letters
from orga.campaigns.services import create_campaign
from orga.models import Membership, Report
from orga.results.exports import process_report
from tests.factories import DivisionFactory, PupilFactory

CODES = ["1.1", "2.3"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def classes(school):
    """Two classes of 3 active pupils each, named so that the order is plain; an inactive pupil in 3e A."""
    divisions = [DivisionFactory(school=school, name="3e B"), DivisionFactory(school=school, name="3e A")]
    for division in divisions:
        for family in ("Cordier", "Abadie", "Bernard"):
            PupilFactory(school=school, division=division, last_name=family, first_name=f"Élève {division.name}")
    PupilFactory(school=school, division=divisions[1], last_name="Parti", first_name="Ancien", is_active=False)
    return divisions


@pytest.fixture
def campaign(school, school_admin, classes):
    return create_campaign(
        school=school, owner=school_admin, name="Rentrée 3e", type="assessment", competence_codes=CODES
    )


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def ask(client, school, campaign, division=None):
    data = {"campaign": campaign.id, "kind": Report.Kind.SCHOOL_LETTERS, "division": division.id if division else ""}
    return client.post(url("report_create", school), data)


def make_report(campaign, user):
    return Report.objects.create(
        school=campaign.school, campaign=campaign, requested_by=user, kind=Report.Kind.SCHOOL_LETTERS
    )


def pages(data):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def read(report):
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_one_letter_per_active_pupil_class_after_class(campaign, school_admin):
    report = make_report(campaign, school_admin)
    assert process_report(report.id) == Report.Status.DONE
    texts = pages(read(report))
    expected = [(c, f) for c in ("3e A", "3e B") for f in ("Abadie", "Bernard", "Cordier")]
    assert len(texts) == len(expected)
    for text, (division, family) in zip(texts, expected, strict=True):
        assert f"Élève {division} {family}" in text and f"classe de {division}" in text
        assert campaign.code in text and text.count("Objet : évaluation des compétences numériques") == 1
    assert not any("Parti" in text for text in texts)


@pytest.mark.django_db
def test_chunks_joined_give_the_same_pages(campaign, school_admin, school, monkeypatch):
    pupils = letters.letter_pupils(letters.letter_divisions(campaign))
    whole = pages(letters.letters_pdf(campaign, school, pupils, "https://pix.example/code/"))
    steps = []
    joined = letters.letters_pdf(
        campaign, school, pupils, "https://pix.example/code/", chunk=4, progress=lambda *step: steps.append(step)
    )
    assert pages(joined) == whole and steps == [(1, 2), (2, 2)]


@pytest.mark.django_db
def test_progress_moves_with_each_chunk_then_done(campaign, school_admin, monkeypatch):
    report = make_report(campaign, school_admin)
    seen = []
    original = Report.report_progress

    def recording(self, percent, *args, **kwargs):
        seen.append(round(percent))
        return original(self, percent, *args, **kwargs)

    monkeypatch.setattr(Report, "report_progress", recording)
    monkeypatch.setattr(letters, "CHUNK", 2)
    assert process_report(report.id) == Report.Status.DONE
    assert seen[:4] == [5, 35, 65, 95] and seen == sorted(seen)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.progress == 100 and report.finished_at


@pytest.mark.django_db
def test_a_second_delivery_leaves_one_file_and_done(campaign, school_admin, settings):
    report = make_report(campaign, school_admin)
    assert process_report(report.id) == Report.Status.DONE
    assert process_report(report.id) == Report.Status.DONE
    report.refresh_from_db()
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name.endswith(f"lettres-familles-{campaign.code}.pdf")
    assert report.file.name == str(files[0].relative_to(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_an_admin_who_is_no_longer_one_gets_no_file(campaign, school_admin, school):
    report = make_report(campaign, school_admin)
    Membership.objects.filter(user=school_admin, school=school).update(role="member")
    assert process_report(report.id) == Report.Status.FAILED
    report.refresh_from_db()
    assert "réservées aux administrateurs" in report.error and not report.file


@pytest.mark.django_db
def test_the_campaigns_classes_only(school, school_admin, classes):
    campaign = create_campaign(
        school=school,
        owner=school_admin,
        name="3e B seule",
        type="assessment",
        competence_codes=CODES,
        divisions=[classes[0]],
    )
    report = make_report(campaign, school_admin)
    assert process_report(report.id) == Report.Status.DONE
    texts = pages(read(report))
    assert len(texts) == 3 and all("classe de 3e B" in text for text in texts)


@pytest.mark.django_db
def test_admin_asks_follows_and_downloads(
    client_for, school, campaign, school_admin, classes, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    detail_page = client.get(url("campaign_detail", school, campaign_id=campaign.id)).content.decode()
    assert "Préparer les lettres de toutes les classes" in detail_page
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, school, campaign, division=classes[0])  # a class given is ignored: every class
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == url("report_detail", school, report_id=report.id)
    assert (report.kind, report.division, report.status) == (Report.Kind.SCHOOL_LETTERS, None, Report.Status.DONE)
    assert client.get(response.url).status_code == 200
    download = client.get(url("report_download", school, report_id=report.id))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="lettres-familles-{campaign.code}.pdf"'
    assert len(pages(b"".join(download.streaming_content))) == 6


@pytest.mark.django_db
def test_the_detail_page_polls_the_progress(client_for, school, campaign, school_admin):
    report = make_report(campaign, school_admin)
    Report.objects.filter(id=report.id).update(status=Report.Status.RUNNING, progress=35)
    detail = url("report_detail", school, report_id=report.id)
    page = client_for(school_admin).get(detail).content.decode()
    assert 'value="35"' in page and f'hx-get="{detail}"' in page


@pytest.mark.django_db
def test_who_may_ask_and_download(client_for, school, campaign, school_admin, teacher, other_school_admin, pupil):
    """A school admin asks (302), follows (200) and downloads (200); a teacher may not ask (403) nor open an admin's
    job (404, as for any colleague's export); another school's admin gets 404; a pupil 403."""
    report = make_report(campaign, school_admin)
    assert process_report(report.id) == Report.Status.DONE
    download = url("report_download", school, report_id=report.id)
    detail = url("report_detail", school, report_id=report.id)
    letters_choice = 'value="school_letters"'
    all_letters = "Préparer les lettres de toutes les classes"
    campaign_page = url("campaign_detail", school, campaign_id=campaign.id)

    admin = client_for(school_admin)
    assert ask(admin, school, campaign).status_code == 302
    assert admin.get(detail).status_code == 200 and admin.get(download).status_code == 200
    assert letters_choice in admin.get(url("reports", school)).content.decode()

    teacher_client = client_for(teacher)
    assert ask(teacher_client, school, campaign).status_code == 403  # every class's pupils: admins only
    assert teacher_client.get(detail).status_code == 404 and teacher_client.get(download).status_code == 404
    assert letters_choice not in teacher_client.get(url("reports", school)).content.decode()
    assert all_letters not in teacher_client.get(campaign_page).content.decode()

    other = client_for(other_school_admin)
    assert ask(other, school, campaign).status_code == 404
    assert other.get(detail).status_code == 404 and other.get(download).status_code == 404
    assert ask(client_for(pupil), school, campaign).status_code == 403
    assert Report.objects.count() == 2  # the first one and the admin's request
