"""Pix Orga's campaign results brought in: the reader, the matching, the preview, the import and its idempotence,
the refusals, the pages' permissions."""

import datetime
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orga.audit.models import AuditEvent
from orga.campaigns.models import Campaign, CompetenceResult, Participation
from orga.campaigns.services import JoinError, check_can_join
from orga.pix_imports.campaign_csv import estimated_result, read_campaign_export
from orga.pix_imports.csv_reading import PixFileError
from orga.pix_imports.matching import BY_BIRTHDATE, BY_CLASS, BY_INE, PupilRef, RowIdentity, match_rows
from orga.pix_imports.models import PixCampaignImport
from orga.pix_imports.services import apply_campaign

from ..factories import DivisionFactory, PupilFactory, UserFactory
from ..pix_exports import TITLES, campaign_csv

TITLE_CODES = {title: code for code, title in TITLES.items()}


@pytest.fixture(autouse=True)
def _in_school_year_2026_2027(monkeypatch):
    """Today is 4 December 2026, whenever the suite runs: the files' dates (October 2026) are this school year's."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))


ORGANISATION = "COLLEGE JEAN MOULIN"  # the school's name as Pix writes it: the same once folded


def participants():
    return [
        {"last": "Martin", "first": "Léa", "division": "3e A", "mastery": 0.6, "competences": {"1.1": 0.5, "1.2": 1}},
        {"last": "DURAND", "first": "Hugo", "division": "3E A", "mastery": 0.25, "competences": {"1.1": 0.2}},
        {"last": "Inconnu", "first": "Paul", "division": "3e A", "mastery": 0.9},
        {"last": "Petit", "first": "Zoé", "division": "3e B", "shared": False},
    ]


# --------------------------------------------------------------------------------------------------- the reader


def test_the_reader_reads_pix_layout_and_values():
    export = read_campaign_export(campaign_csv(participants(), organisation="Collège Jean-Moulin"), TITLE_CODES)
    assert (export.campaign_id, export.code, export.name) == (4521, "QRTWHB274", "Rentrée 3e")
    assert export.target_profile == "Parcours de rentrée"
    assert export.competence_codes == ["1.1", "1.2", "2.1"]
    lea, hugo, _paul, zoe = export.rows
    assert (lea.last_name, lea.first_name, lea.division, lea.shared) == ("Martin", "Léa", "3e A", True)
    assert lea.mastery == pytest.approx(0.6)
    assert lea.competences["1.2"].ratio == 1 and lea.competences["1.2"].target_skills == 10
    assert lea.competences["2.1"].ratio is None  # "NA"
    assert lea.shared_at == datetime.datetime(2026, 10, 2, 10, 2)
    assert hugo.competences["1.1"].validated_skills == 2
    assert not zoe.shared and zoe.shared_at is None and zoe.mastery is None
    assert not any(row.error for row in export.rows)


def test_a_formula_guard_is_removed_and_the_name_kept_as_text():
    data = campaign_csv([{"last": "=HYPERLINK(1)", "first": "@Bob", "mastery": 0.1}], organisation="x")
    row = read_campaign_export(data, TITLE_CODES).rows[0]
    assert (row.last_name, row.first_name) == ("=HYPERLINK(1)", "@Bob")


def test_a_profiles_collection_export_is_refused_naming_it():
    data = (
        '\ufeff"Nom de l\'organisation";"ID Campagne";"Nom du Participant";"Nombre de pix total";"Certifiable (O/N)"\n'
    )
    with pytest.raises(PixFileError) as error:
        read_campaign_export(data.encode(), TITLE_CODES)
    assert "collecte de profils" in error.value.messages[0]


def test_a_certification_file_is_refused_naming_it():
    data = b'"Num\xc3\xa9ro de certification";"Pr\xc3\xa9nom";"Nom";"Score en Pix"\n1;"a";"b";3\n'
    with pytest.raises(PixFileError) as error:
        read_campaign_export(data, TITLE_CODES)
    assert "Pix Certif" in error.value.messages[0]


def test_a_file_without_the_required_columns_says_what_it_found():
    with pytest.raises(PixFileError) as error:
        read_campaign_export(b'"Nom";"Pr\xc3\xa9nom";"Classe"\n"a";"b";"c"\n', TITLE_CODES)
    assert "« ID Campagne »" in error.value.messages[0]
    assert error.value.messages[1] == "Colonnes trouvées : « Nom », « Prénom », « Classe »."


def test_a_workbook_is_refused():
    with pytest.raises(PixFileError) as error:
        read_campaign_export(b"PK\x03\x04rest-of-a-zip", TITLE_CODES)
    assert "pas un fichier CSV" in error.value.messages[0]


def test_pix_former_layout_is_read_with_a_note():
    header = (
        '"Nom de l\'organisation";"ID Campagne";"Nom de la campagne";"Nom du Profil Cible";"Nom du Participant";'
        '"Prénom du Participant";"% de progression";"Date de début";"Partage (O/N)";"Date du partage";'
        '"% maitrise de l\'ensemble des acquis du profil";"% de maitrise des acquis de la compétence Interagir"'
    )
    row = '"Collège";77;"Ancienne";"Profil";"Martin";"Léa";1;"2019-10-02";"Oui";"2019-10-03";0,5;0,5'
    export = read_campaign_export(("\ufeff" + header + "\n" + row + "\n").encode(), TITLE_CODES)
    assert export.former_layout and export.target_profile == "Profil"
    assert any("Présentation ancienne" in note for note in export.notes)
    assert any("pas de colonne « Classe »" in note for note in export.notes)
    assert export.rows[0].shared_at == datetime.datetime(2019, 10, 3)


def test_two_campaigns_in_one_file_are_refused():
    first = campaign_csv(participants()[:1], organisation="x", campaign_id=1)
    second = campaign_csv(participants()[1:2], organisation="x", campaign_id=2).decode("utf-8-sig").split("\n")[1]
    with pytest.raises(PixFileError, match="plusieurs campagnes"):
        read_campaign_export(first + second.encode() + b"\n", TITLE_CODES)


def test_an_unreadable_value_marks_the_row_not_the_file():
    data = campaign_csv(participants()[:2], organisation="x").replace(b";0,6;", b";beaucoup;")
    export = read_campaign_export(data, TITLE_CODES)
    assert "maitrise" in export.rows[0].error and not export.rows[1].error


def test_the_estimate_reads_the_ratio_as_the_share_of_open_levels():
    assert estimated_result(0.5, 5) == (20, 2)
    assert estimated_result(1, 5) == (40, 5)
    assert estimated_result(0.3, 5) == (12, 1)
    assert estimated_result(None, 5) == (0, 0)


# -------------------------------------------------------------------------------------------------- the matching


def test_matching_by_ine_then_class_then_birthdate():
    born = datetime.date(2012, 1, 2)
    pupils = [
        PupilRef(1, "1234567890A", ("MARTIN",), "Léa", "3e A", born),
        PupilRef(2, "1234567890B", ("DURAND", "Dupont"), "Hugo", "3e B", born),
        PupilRef(3, "1234567890C", ("PETIT",), "Zoé", "3e C", datetime.date(2011, 5, 6)),
    ]
    rows = [
        RowIdentity("x", "y", ine="1234567890a"),
        RowIdentity("dupont", "hugo", division="3E B"),
        RowIdentity("Petit", "Zoe", birthdate=datetime.date(2011, 5, 6)),
        RowIdentity("Petit", "Zoe", birthdate=datetime.date(2011, 5, 7)),
        RowIdentity("Martin", "Lea", division="3e A", line=9),
    ]
    matches = match_rows(rows, pupils)
    assert [(m.pupil_id, m.method) for m in matches[:3]] == [(1, BY_INE), (2, BY_CLASS), (3, BY_BIRTHDATE)]
    assert matches[3].pupil_id is None and "date de naissance" in matches[3].reason
    assert matches[4].pupil_id is None and "déjà reconnu à la ligne 1" in matches[4].reason


def test_two_pupils_answering_one_key_match_none():
    pupils = [PupilRef(1, "", ("MARTIN",), "Léa", "3e A", None), PupilRef(2, "", ("Martin",), "Lea", "3e A", None)]
    [match] = match_rows([RowIdentity("Martin", "Léa", division="3e A")], pupils)
    assert match.pupil_id is None and "plusieurs élèves" in match.reason


# ------------------------------------------------------------------------------------------------- the import


@pytest.fixture
def pupils(school):
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    return {
        "lea": PupilFactory(school=school, division=a, last_name="MARTIN", first_name="Léa"),
        "hugo": PupilFactory(school=school, division=a, last_name="DURAND", first_name="Hugo"),
        "zoe": PupilFactory(school=school, division=b, last_name="PETIT", first_name="Zoé"),
    }


def upload(client, school, data, name="resultats.csv"):
    return client.post(
        reverse("orga:pix_imports", kwargs={"uai": school.uai}), {"file": SimpleUploadedFile(name, data)}
    )


def detail_url(school, job):
    return reverse("orga:pix_import_detail", kwargs={"uai": school.uai, "import_id": job.id})


def analyse_and_confirm(client, school, data, capture):
    with capture(execute=True):
        upload(client, school, data)
    job = PixCampaignImport.objects.first()
    preview_html = client.get(detail_url(school, job)).content.decode()
    with capture(execute=True):
        client.post(reverse("orga:pix_import_confirm", kwargs={"uai": school.uai, "import_id": job.id}))
    job.refresh_from_db()
    return job, preview_html


@pytest.fixture
def imported(client_for, school, school_admin, pupils, django_capture_on_commit_callbacks, eager_tasks):
    """Pix's file of `participants()` analysed and imported: the school admin's client."""
    client = client_for(school_admin)
    data = campaign_csv(participants(), organisation=ORGANISATION)
    analyse_and_confirm(client, school, data, django_capture_on_commit_callbacks)
    return client


def counts():
    return (Campaign.objects.count(), Participation.objects.count(), CompetenceResult.objects.count())


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_campaign_export_is_previewed_then_imported_and_a_second_import_changes_nothing(
    client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    data = campaign_csv(participants(), organisation=ORGANISATION)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, school, data)
    job = PixCampaignImport.objects.get()
    assert response.url == detail_url(school, job)
    job.refresh_from_db()
    assert job.is_preview_ready and not job.file, job.errors  # the upload is not kept once analysed
    assert job.preview["counts"] == {
        "new": 2, "updated": 0, "unchanged": 0, "unmatched": 1, "not_shared": 1, "invalid": 0
    }  # fmt: skip
    assert Participation.objects.count() == 0  # nothing stored before the confirmation
    html = client.get(detail_url(school, job)).content.decode()
    assert "Confirmer l'import" in html
    assert 'data-state="unmatched"' in html and "Inconnu" in html and "aucun élève actif" in html
    assert "MARTIN Léa (3e A)" in html and "par le nom, le prénom et la classe" in html

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orga:pix_import_confirm", kwargs={"uai": school.uai, "import_id": job.id}))
    job.refresh_from_db()
    assert job.is_imported and job.report["new"] == 2
    report = client.get(detail_url(school, job)).content.decode()
    assert "2 résultats importés, 0 mis à jour, 0 inchangé, 2 lignes non importées." in " ".join(
        re.sub(r"<[^>]+>", "", report).split()
    )
    campaign = Campaign.objects.get()
    assert (campaign.pix_campaign_id, campaign.pix_code, campaign.name) == (4521, "QRTWHB274", "Rentrée 3e")
    lea = Participation.objects.get(pupil=pupils["lea"])
    assert lea.imported_from_pix and lea.status == Participation.Status.SHARED and lea.pix_mastery == 0.6
    results = {r.competence.code: (r.level, r.pix, r.pix_mastery) for r in lea.competence_results.all()}
    assert results["1.1"] == (2, 20, 0.5) and results["1.2"] == (5, 40, 1.0)
    assert lea.pix == 60
    assert not Participation.objects.filter(pupil=pupils["zoe"]).exists()
    before = counts()
    fingerprints = sorted(Participation.objects.values_list("pix_fingerprint", flat=True))

    second, html = analyse_and_confirm(client, school, data, django_capture_on_commit_callbacks)
    assert second.preview["counts"]["unchanged"] == 2 and second.preview["counts"]["new"] == 0
    assert "Déjà importé, inchangé" in html
    assert not second.is_imported  # nothing to confirm: the confirmation is refused
    assert counts() == before
    assert sorted(Participation.objects.values_list("pix_fingerprint", flat=True)) == fingerprints


@pytest.mark.django_db
def test_applying_the_same_preview_twice_changes_nothing(school, school_admin, pupils):
    job = _analysed_job(school, school_admin, participants(), "r.csv")
    first = apply_campaign(job)["report"]
    before = counts()
    again = apply_campaign(job)["report"]
    assert (first["new"], again["new"], again["unchanged"]) == (2, 0, 2)
    assert counts() == before


@pytest.mark.django_db
def test_a_later_export_updates_the_changed_rows(imported, school, pupils, django_capture_on_commit_callbacks):
    client = imported
    later = participants()
    later[1]["mastery"], later[1]["competences"] = 0.5, {"1.1": 1}
    job, _html = analyse_and_confirm(
        client, school, campaign_csv(later, organisation=ORGANISATION), django_capture_on_commit_callbacks
    )
    assert (job.report["new"], job.report["updated"], job.report["unchanged"]) == (0, 1, 1)
    hugo = Participation.objects.get(pupil=pupils["hugo"])
    assert hugo.pix_mastery == 0.5 and hugo.competence_results.get().level == 5
    assert Participation.objects.count() == 2


@pytest.mark.django_db
def test_imported_results_appear_in_the_campaign_results_and_nobody_joins_the_campaign(
    imported, client_for, school, pupils
):
    client = imported
    campaign = Campaign.objects.get()
    html = client.get(reverse("orga:campaign_results", kwargs={"uai": school.uai, "campaign_id": campaign.id}))
    text = html.content.decode()
    assert html.status_code == 200 and "MARTIN" in text and "DURAND" in text and "60 %" in text
    user = UserFactory(username="lea.eleve")
    pupils["lea"].user = user
    pupils["lea"].save()
    with pytest.raises(JoinError, match="passé sur pix.fr"):
        check_can_join(campaign, user)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_another_school_export_is_refused(client_for, school, school_admin, pupils, django_capture_on_commit_callbacks):
    client = client_for(school_admin)
    others = [{"last": "Autre", "first": "Élève", "division": "4e C", "mastery": 0.5}]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, campaign_csv(others, organisation="Lycée Lointain"))
    job = PixCampaignImport.objects.get()
    assert job.was_refused and "autre établissement" in job.errors[0]
    html = client.get(detail_url(school, job)).content.decode()
    assert "Le fichier a été refusé" in html and "Lycée Lointain" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_another_name_with_known_pupils_is_read_with_a_warning(
    client_for, school, school_admin, pupils, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, campaign_csv(participants(), organisation="Clg J. Moulin"))
    job = PixCampaignImport.objects.get()
    assert job.is_preview_ready and "vérifiez qu'il s'agit bien de votre établissement" in job.preview["warnings"][0]


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_collection_export_is_refused_on_the_page(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    data = '\ufeff"ID Campagne";"Nom du Participant";"Prénom du Participant";"Nombre de pix total"\n1;"a";"b";3\n'
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, data.encode())
    html = client.get(detail_url(school, PixCampaignImport.objects.get())).content.decode()
    assert "collecte de profils" in html


@pytest.mark.django_db
def test_a_file_that_is_not_csv_is_refused_by_the_form(client_for, school, school_admin):
    response = upload(client_for(school_admin), school, b"%PDF-1.4", name="resultats.pdf")
    assert "pas un fichier CSV" in response.content.decode()
    assert not PixCampaignImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_hostile_names_are_escaped_in_the_preview(client_for, school, school_admin, django_capture_on_commit_callbacks):
    client = client_for(school_admin)
    DivisionFactory(school=school, name="3e A")
    hostile = [{"last": "<script>alert(1)</script>", "first": "=cmd|' /C calc'!A0", "division": "3e A", "mastery": 0.1}]
    PupilFactory(school=school, last_name="MARTIN", first_name="Léa")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, campaign_csv(hostile + participants()[:1], organisation=ORGANISATION))
    html = client.get(detail_url(school, PixCampaignImport.objects.get())).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
def test_pix_import_permissions(client_for, request, school, who, status):
    client = client_for(request.getfixturevalue(who))
    job = PixCampaignImport.objects.create(school=school, original_name="a.csv", status="done")
    assert client.get(reverse("orga:pix_imports", kwargs={"uai": school.uai})).status_code == status
    assert upload(client, school, b"x").status_code == status
    assert client.get(detail_url(school, job)).status_code == status
    confirm = reverse("orga:pix_import_confirm", kwargs={"uai": school.uai, "import_id": job.id})
    assert client.post(confirm).status_code == status
    assert PixCampaignImport.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_sees_the_pages_and_another_school_import_is_404(client_for, school, school_admin, other_school):
    client = client_for(school_admin)
    assert client.get(reverse("orga:pix_imports", kwargs={"uai": school.uai})).status_code == 200
    other = PixCampaignImport.objects.create(school=other_school, original_name="a.csv", status="done")
    assert client.get(detail_url(school, other)).status_code == 404


@pytest.mark.django_db
def test_the_history_query_count_is_fixed(client_for, school, school_admin):
    client = client_for(school_admin)
    url = reverse("orga:pix_imports", kwargs={"uai": school.uai})
    PixCampaignImport.objects.create(school=school, original_name="a.csv", status="done", uploaded_by=school_admin)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        PixCampaignImport.objects.create(
            school=school, original_name=f"{n}.csv", status="failed", errors=["x"], uploaded_by=school_admin
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert html.count("Fichier refusé") == 8


@pytest.mark.django_db
def test_imported_results_appear_in_the_analysis_follow_up_and_pupil_pages(imported, client_for, school, pupils):
    client = imported
    campaign = Campaign.objects.get()
    lea = pupils["lea"]
    analysis = client.get(reverse("orga:campaign_analysis", kwargs={"uai": school.uai, "campaign_id": campaign.id}))
    assert analysis.status_code == 200
    follow_up = client.get(
        reverse("orga:class_progress", kwargs={"uai": school.uai, "division_id": lea.division_id}),
        {"campagne": campaign.id},
    ).content.decode()
    assert "Rentrée 3e" in follow_up and "Résultats reçus" in follow_up
    from orga.classes.follow_up import division_progress

    progress = division_progress(lea.division, school)
    assert [c.id for c in progress.campaigns] == [campaign.id] and progress.reminders() == []
    page = client.get(reverse("orga:pupil_detail", kwargs={"uai": school.uai, "pupil_id": lea.id})).content.decode()
    assert "Rentrée 3e" in page and "importée de Pix" in page
    lea.user = UserFactory(username="lea.profil")
    lea.save()
    profile = client_for(lea.user).get(reverse("orga:my_profile")).content.decode()
    assert "Rentrée 3e" in profile and "60" in profile


@pytest.mark.django_db
def test_the_imported_campaign_page_says_so_and_gives_no_code(imported, client_for, school, pupils):
    client = imported
    campaign = Campaign.objects.get()
    html = client.get(reverse("orga:campaign_detail", kwargs={"uai": school.uai, "campaign_id": campaign.id}))
    text = html.content.decode()
    assert "Campagne importée de Pix" in text and "n° 4521" in text
    assert "Code à donner aux élèves" not in text and campaign.code not in text


@pytest.mark.django_db
def test_an_interrupted_analysis_may_be_retried_or_discarded_by_the_admin(client_for, school, school_admin):
    client = client_for(school_admin)
    job = PixCampaignImport.objects.create(school=school, uploaded_by=school_admin, original_name="r.csv")
    job.file.save("r.csv", SimpleUploadedFile("r.csv", b"x"))
    job.fail_stale()
    html = client.get(detail_url(school, job)).content.decode()
    assert "Relancer l&#x27;import" in html or "Relancer l'import" in html
    assert job.file.name.startswith("imports-pix/campagnes/")
    discard = reverse("orga:pix_import_discard", kwargs={"uai": school.uai, "import_id": job.id})
    assert client.post(discard).status_code == 302
    job.refresh_from_db()
    assert job.status == "failed" and not job.file


@pytest.mark.django_db
def test_the_task_run_twice_does_the_work_once(imported):
    from orga.pix_imports.services import process_campaign_import

    job = PixCampaignImport.objects.get()
    before = counts()
    assert process_campaign_import(job.id) == "done"
    job.refresh_from_db()
    assert job.is_imported and job.attempts == 2 and counts() == before  # one run per phase


def _analysed_job(school, admin, people, name):
    job = PixCampaignImport.objects.create(school=school, uploaded_by=admin, original_name=name, status="done")
    job.file.save(name, SimpleUploadedFile(name, campaign_csv(people, organisation=ORGANISATION)))
    from orga.pix_imports.services import analyse_campaign

    job.preview = analyse_campaign(job)["preview"]
    job.phase = "import"
    return job


@pytest.mark.django_db
def test_the_import_query_count_does_not_grow_with_rows(school, school_admin):
    division = DivisionFactory(school=school, name="3e A")

    def people(prefix, n):
        for i in range(n):
            PupilFactory(school=school, division=division, last_name=f"{prefix}{i}", first_name="Élève")
        return [
            {"last": f"{prefix}{i}", "first": "Élève", "division": "3e A", "mastery": 0.5, "competences": {"1.1": 0.5}}
            for i in range(n)
        ]

    few, many = _analysed_job(school, school_admin, people("A", 2), "a.csv"), None
    with CaptureQueriesContext(connection) as few_queries:
        apply_campaign(few)
    many = _analysed_job(school, school_admin, people("B", 9), "b.csv")
    many.preview["campaign"]["pix_id"] = 999  # another campaign: created again, as the first one was
    with CaptureQueriesContext(connection) as many_queries:
        report = apply_campaign(many)["report"]
    assert report["new"] == 9
    assert len(many_queries) == len(few_queries)


def _wait(job):
    deadline = time.monotonic() + 60
    job.refresh_from_db()
    while job.is_running and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    return job


@pytest.mark.worker
def test_both_phases_run_on_the_worker(framework, celery_worker, client, school, school_admin):
    """Through the pages, with a real worker and broker when they are configured (CI)."""
    a = DivisionFactory(school=school, name="3e A")
    PupilFactory(school=school, division=a, last_name="MARTIN", first_name="Léa")
    client.force_login(school_admin)
    assert upload(client, school, campaign_csv(participants()[:1], organisation=ORGANISATION)).status_code == 302
    job = _wait(PixCampaignImport.objects.get())
    assert job.is_preview_ready, job.errors
    client.post(reverse("orga:pix_import_confirm", kwargs={"uai": school.uai, "import_id": job.id}))
    job = _wait(job)
    assert job.is_imported and Participation.objects.filter(imported_from_pix=True).count() == 1


@pytest.mark.django_db
def test_round_trip_pix_file_imported_then_exported_in_pix_layout_reads_back_the_same(imported):
    """Pix's file → import → pixdeploy's Pix-format CSV (orga/results/pix_csv.py) → this reader: the same people,
    shares and mastery ratios (to the rounding of this campaign's own target skills)."""
    from orga.results.exports import build_csv
    from orga.results.frames import campaign_results

    campaign = Campaign.objects.get()
    exported = read_campaign_export(build_csv(campaign_results(campaign)), TITLE_CODES)
    assert exported.campaign_id == campaign.id and exported.target_profile == "Parcours de rentrée"
    assert exported.competence_codes == ["1.1", "1.2", "2.1"]
    rows = {(row.last_name, row.first_name): row for row in exported.rows}
    assert set(rows) == {("DURAND", "Hugo"), ("MARTIN", "Léa")} and all(row.shared for row in rows.values())
    lea = rows[("MARTIN", "Léa")]
    assert lea.division == "3e A" and not lea.error
    assert lea.competences["1.1"].ratio == pytest.approx(0.5, abs=0.05)
    assert lea.competences["1.2"].ratio == pytest.approx(1)
    assert lea.competences["2.1"].validated_skills == 0


@pytest.mark.django_db
def test_the_confirmation_and_the_import_are_in_the_journal(imported, school, school_admin):
    Action = AuditEvent.Action
    (confirmed,) = AuditEvent.objects.filter(action=Action.PIX_IMPORT_CONFIRMED)
    assert (confirmed.actor, confirmed.school, confirmed.address) == (school_admin, school, "127.0.0.1")
    assert confirmed.description == "Import Pix Orga confirmé" and confirmed.target_label == "resultats.csv"
    (done,) = AuditEvent.objects.filter(action=Action.PIX_IMPORT_DONE)
    assert (done.actor, done.school, done.address) == (school_admin, school, None)
    assert done.target_type == "import de résultats de campagne Pix" and "nouveau(x)" in done.description
