"""Pix Certif's session results brought in: the reader, the preview, the import and its idempotence, the
refusals, the pages' permissions, and the imported results in the results by class and the LSU/LSL hand-over."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certif.handover.api import tokens
from certif.handover.api.clients import create_client
from certif.models import Candidate, CertificationResult, PixSessionImport, Session
from certif.pix_imports.services import analyse_session, apply_session
from certif.pix_imports.session_csv import read_session_results
from orga.audit.models import AuditEvent
from orga.pix_imports.csv_reading import PixFileError

from ..factories import DivisionFactory, PupilFactory, UserFactory
from ..pix_exports import campaign_csv, certif_csv
from .helpers import url

pytestmark = pytest.mark.usefixtures("on_4_december_2026")
CENTRE = "Collège Jean Moulin"  # the school's name as Pix Certif writes it
LEVELS = {"1.1": 3, "1.2": 2, "2.1": 4, "3.1": 1, "5.2": 0}


def candidates():
    return [
        {"number": 901, "first": "Léa", "last": "MARTIN", "birthdate": "14/05/2012", "external_id": "1234567890A",
         "level": "Indépendant 2", "score": 412, "competences": LEVELS, "comment": "=SOMME(A1)"},
        {"number": 902, "first": "Hugo", "last": "Durand", "birthdate": "02/01/2012", "status": "Non obtenue",
         "score": 0},
        {"number": 903, "first": "Paul", "last": "Inconnu", "birthdate": "03/03/2012", "level": "Novice 1",
         "score": 70},
        {"number": 904, "first": "Zoé", "last": "Petit", "birthdate": "04/04/2012", "status": "En erreur"},
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------------- the reader


def test_the_reader_reads_pix_certif_layout_and_values():
    results = read_session_results(certif_csv(candidates(), centre=CENTRE), max_level=5)
    lea, hugo, paul, zoe = results.rows
    assert (lea.number, lea.ine, lea.status, lea.level, lea.level_label, lea.pix_score) == (
        901, "1234567890A", "validated", 4, "Indépendant 2", 412
    )  # fmt: skip
    assert lea.competence_levels == LEVELS and lea.comment == "=SOMME(A1)"
    assert (lea.session, lea.taken_on, lea.birthdate) == (12345, datetime.date(2027, 3, 14), datetime.date(2012, 5, 14))
    assert (hugo.status, hugo.level, hugo.competence_levels, hugo.ine) == ("rejected", 0, {}, "")
    assert paul.level == 1 and not paul.error
    assert "En erreur" in zoe.error
    assert results.centres == [CENTRE] and results.notes == []


def test_a_campaign_export_is_refused_naming_it():
    with pytest.raises(PixFileError, match="campagne"):
        read_session_results(campaign_csv([], organisation="x"), max_level=5)


def test_pix_certif_former_layout_with_resultat_and_no_band_computes_the_band_from_the_score():
    data = certif_csv(candidates()[:1], centre=CENTRE).decode("utf-8-sig").replace('"Score en Pix"', '"Résultat"')
    lines = [";".join(cell for i, cell in enumerate(line.split(";")) if i != 8) for line in data.split("\n")]
    results = read_session_results("\n".join(lines).encode(), max_level=5)
    assert results.rows[0].level_label == "Indépendant 2" and not results.rows[0].error
    assert any("Présentation ancienne" in note for note in results.notes)


def test_a_file_without_the_required_columns_says_what_it_found():
    with pytest.raises(PixFileError) as error:
        read_session_results(b'"Nom";"Pr\xc3\xa9nom"\n"a";"b"\n', max_level=5)
    assert "« Numéro de certification »" in error.value.messages[0]
    assert error.value.messages[1] == "Colonnes trouvées : « Nom », « Prénom »."


# ------------------------------------------------------------------------------------------------- the import


@pytest.fixture
def pupils(school):
    division = DivisionFactory(school=school, name="3e A")
    return {
        "lea": PupilFactory(school=school, division=division, ine="1234567890A", last_name="X", first_name="Y"),
        "hugo": PupilFactory(
            school=school, division=division, last_name="DURAND", first_name="Hugo", birthdate=datetime.date(2012, 1, 2)
        ),
    }


def upload(client, school, data, name="20270314_1000_resultats_session_12345.csv"):
    return client.post(url("pix_imports", school), {"file": SimpleUploadedFile(name, data)})


def detail_url(school, job):
    return url("pix_import_detail", school, import_id=job.id)


def counts():
    return (Session.objects.count(), Candidate.objects.count(), CertificationResult.objects.count())


def analyse_and_confirm(client, school, data, capture):
    with capture(execute=True):
        upload(client, school, data)
    job = PixSessionImport.objects.first()
    html = client.get(detail_url(school, job)).content.decode()
    with capture(execute=True):
        client.post(url("pix_import_confirm", school, import_id=job.id))
    job.refresh_from_db()
    return job, html


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_session_file_is_previewed_then_imported_and_a_second_import_changes_nothing(
    client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    data = certif_csv(candidates(), centre=CENTRE)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, data)
    job = PixSessionImport.objects.get()
    assert job.is_preview_ready, job.errors
    assert job.preview["counts"] == {
        "new": 2, "updated": 0, "unchanged": 0, "unmatched": 1, "not_shared": 0, "invalid": 1
    }  # fmt: skip
    html = client.get(detail_url(school, job)).content.decode()
    assert "Session n° 12345 sur Pix du 14/03/2027" in html and "Confirmer l'import" in html
    assert "par l&#x27;INE" in html and "par le nom, le prénom et la date de naissance" in html
    assert 'data-state="unmatched"' in html and "Inconnu" in html
    assert CertificationResult.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("pix_import_confirm", school, import_id=job.id))
    job.refresh_from_db()
    assert job.is_imported and job.report["new"] == 2
    session = Session.objects.get()
    assert session.pix_session_id == 12345 and session.published_at and session.status == "processed"
    assert session.date == datetime.date(2027, 3, 14)
    lea = CertificationResult.objects.get(candidate__pupil=pupils["lea"])
    assert (lea.pix_certification_number, lea.status, lea.pix_score, lea.level) == (901, "validated", 412, 4)
    assert lea.competence_levels == LEVELS and lea.comment_for_organisation == "=SOMME(A1)"
    assert lea.candidate.division_name == "3e A" and lea.candidate.last_name == "X"
    before = counts()

    second, html = analyse_and_confirm(client, school, data, django_capture_on_commit_callbacks)
    assert second.preview["counts"]["unchanged"] == 2 and second.preview["counts"]["new"] == 0
    assert "Déjà importé, inchangé" in html and not second.is_imported
    assert counts() == before


@pytest.mark.django_db
def test_applying_the_same_preview_twice_changes_nothing_and_a_corrected_result_updates(school, school_admin, pupils):
    def analysed(data):
        job = PixSessionImport.objects.create(
            school=school, uploaded_by=school_admin, original_name="r.csv", status="done"
        )
        job.file.save("r.csv", SimpleUploadedFile("r.csv", data))
        job.preview = analyse_session(job)["preview"]
        job.phase = "import"
        return job

    job = analysed(certif_csv(candidates(), centre=CENTRE))
    assert apply_session(job)["report"]["new"] == 2
    before = counts()
    again = apply_session(job)["report"]
    assert (again["new"], again["unchanged"]) == (0, 2) and counts() == before
    corrected = candidates()
    corrected[1].update(status="Validée", level="Novice 2", score=130, competences={"1.1": 2})
    report = apply_session(analysed(certif_csv(corrected, centre=CENTRE)))["report"]
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 1, 1) and counts() == before
    hugo = CertificationResult.objects.get(pix_certification_number=902)
    assert (hugo.status, hugo.level, hugo.competence_levels) == ("validated", 2, {"1.1": 2})


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_imported_results_appear_in_the_results_by_class_and_the_lsu_hand_over(
    client, client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    admin = client_for(school_admin)
    analyse_and_confirm(admin, school, certif_csv(candidates(), centre=CENTRE), django_capture_on_commit_callbacks)
    page = admin.get(url("results_by_class", school)).content.decode()
    assert "DURAND" in page and "412" in page
    export = admin.get(url("class_export", school, extension="csv"), {"classe": "3e A"})
    body = export.content.decode("utf-8-sig")
    assert "1234567890A" in body and "Validée" in body and "Non obtenue" in body
    journal = dict(AuditEvent.objects.values_list("action", "actor"))
    by = school_admin.id
    assert journal[AuditEvent.Action.PIX_IMPORT_CONFIRMED] == journal[AuditEvent.Action.PIX_IMPORT_DONE] == by

    api_client, _secret = create_client("LSU", "organizations-certifications-result")
    token = tokens.issue(api_client, ("organizations-certifications-result",))
    client.logout()
    response = client.get(
        f"/api/organizations/{school.uai}/certifications", headers={"Authorization": f"Bearer {token}"}
    )
    certifications = response.json()["data"]["attributes"]["certifications"]
    by_ine = {c["nationalStudentId"]: c for c in certifications}
    lea = by_ine["1234567890A"]
    assert lea["id"] == 901 and lea["status"] == "validated" and lea["pixScore"] == 412
    assert {"competenceId": "2.1", "level": 4} in lea["competenceResults"]
    assert by_ine[pupils["hugo"].ine]["status"] == "rejected"


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_another_centre_file_is_refused(client_for, school, school_admin, pupils, django_capture_on_commit_callbacks):
    client = client_for(school_admin)
    others = [{"number": 1, "first": "A", "last": "B", "birthdate": "01/01/2011", "level": "Novice 1", "score": 70}]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, certif_csv(others, centre="Lycée Lointain"))
    job = PixSessionImport.objects.get()
    assert job.was_refused and "autre établissement" in job.errors[0]


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_campaign_export_is_refused_on_the_page(client_for, school, school_admin, django_capture_on_commit_callbacks):
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, campaign_csv([{"last": "a", "first": "b", "mastery": 0.5}], organisation="x"))
    html = client.get(detail_url(school, PixSessionImport.objects.get())).content.decode()
    assert "Le fichier a été refusé" in html and "campagne (Pix Orga)" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
def test_pix_session_import_permissions(client_for, request, school, who, status):
    client = client_for(request.getfixturevalue(who))
    job = PixSessionImport.objects.create(school=school, original_name="a.csv", status="done")
    assert client.get(url("pix_imports", school)).status_code == status
    assert upload(client, school, b"x").status_code == status
    assert client.get(detail_url(school, job)).status_code == status
    assert client.post(url("pix_import_confirm", school, import_id=job.id)).status_code == status
    assert PixSessionImport.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_sees_the_page_and_another_school_import_is_404(client_for, school, school_admin, other_school):
    client = client_for(school_admin)
    assert client.get(url("pix_imports", school)).status_code == 200
    other = PixSessionImport.objects.create(school=other_school, original_name="a.csv", status="done")
    assert client.get(detail_url(school, other)).status_code == 404
    assert reverse("certif:pix_imports", kwargs={"uai": school.uai}).endswith("/certification/imports-pix/")


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_the_imported_session_pages_and_its_csv_read_pix_numbers(
    client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    admin = client_for(school_admin)
    analyse_and_confirm(admin, school, certif_csv(candidates(), centre=CENTRE), django_capture_on_commit_callbacks)
    session = Session.objects.get()
    assert admin.get(url("session_detail", school, session_id=session.id)).status_code == 200
    assert admin.get(url("session_results", school, session_id=session.id)).status_code == 200
    response = admin.get(url("session_results_csv", school, session_id=session.id))
    body = response.content.decode("utf-8-sig")
    assert "\n901;" in body and "'=SOMME(A1)" in body
    # pixdeploy's own results file is Pix Certif's layout: the reader takes it back, row for row, with Pix's
    # certification and session numbers
    again = {r.number: r for r in read_session_results(response.content, max_level=5).rows}
    assert [(r.status, r.pix_score, r.comment, r.session) for r in again.values()] == [
        ("rejected", 0, "", 12345), ("validated", 412, "=SOMME(A1)", 12345)
    ]  # fmt: skip
    assert again[901].competence_levels == LEVELS and again[901].level_label == "Indépendant 2"
    # read-only: nothing to compute, enrol or edit in a published session
    assert admin.post(url("session_results_compute", school, session_id=session.id)).status_code in (302, 400, 403)
    assert CertificationResult.objects.get(pix_certification_number=901).pix_score == 412


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_the_pupil_sees_the_imported_certification(
    client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    analyse_and_confirm(
        client_for(school_admin), school, certif_csv(candidates(), centre=CENTRE), django_capture_on_commit_callbacks
    )
    lea = pupils["lea"]
    lea.user = UserFactory(username="lea.certif")
    lea.save()
    html = client_for(lea.user).get(reverse("certif:my_results")).content.decode()
    assert "412 pix" in html and "Indépendant 2" in html and "Certification passée sur Pix (n° 901)" in html
