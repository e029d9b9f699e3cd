import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from orga.models import Division, Pupil, SiecleImport
from orga.pupils.importing import FILE_FIELDS, apply_pupils, process_import
from orga.pupils.siecle import MAX_LENGTHS, parse_pupils_file
from orga.pupils.siecle_sample import SamplePupil, generated_pupils, siecle_xml, siecle_zip
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory

DIVISIONS = ["3e A", "3e B", "4e A"]


def xml_for(school, pupils, **kwargs):
    return siecle_xml(school.uai, pupils, **kwargs)


def run_command(tmp_path, data, uai, *args, name="ElevesSansAdresses.xml"):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_siecle", str(path), "--uai", uai, *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_imports_then_reimports(tmp_path, school):
    pupils = generated_pupils(30, DIVISIONS, seed=1)
    code, out, _ = run_command(tmp_path, xml_for(school, pupils), school.uai, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["created"] == 30 and report["updated"] == 0 and report["disabled"] == 0
    assert report["skipped"] == 0 and report["errors"] == []
    assert Pupil.objects.filter(school=school, is_active=True).count() == 30
    assert set(Division.objects.filter(school=school).values_list("name", flat=True)) == set(DIVISIONS)
    assert SiecleImport.objects.get(school=school).status == SiecleImport.Status.DONE

    code, out, _ = run_command(tmp_path, xml_for(school, pupils), school.uai, "--json")
    assert json.loads(out)["created"] == 0 and json.loads(out)["updated"] == 0 and json.loads(out)["unchanged"] == 30


@pytest.mark.django_db
def test_reimport_moves_disables_and_reenables(tmp_path, school):
    pupils = generated_pupils(10, DIVISIONS, seed=2)
    run_command(tmp_path, xml_for(school, pupils), school.uai)
    moved, gone = pupils[0], pupils[1]
    moved.division = "3e B" if moved.division != "3e B" else "3e A"
    code, out, _ = run_command(tmp_path, xml_for(school, pupils, left=(1,)), school.uai, "--json")
    report = json.loads(out)
    assert (report["moved"], report["updated"], report["disabled"], report["created"]) == (1, 1, 0, 0)
    assert report["left"] == 1 and report["skipped"] == 0
    assert Pupil.objects.get(ine=moved.ine).division.name == moved.division
    gone_row = Pupil.objects.get(ine=gone.ine)
    assert gone_row.is_active is False  # disabled, never deleted
    assert gone_row.disabled_at is not None  # the RGPD purge counts from it
    assert not Pupil.objects.filter(is_active=True, disabled_at__isnull=False).exists()

    code, out, _ = run_command(tmp_path, xml_for(school, pupils), school.uai, "--json")
    report = json.loads(out)
    assert report["reenabled"] == 1 and report["disabled"] == 0
    assert Pupil.objects.get(ine=gone.ine).is_active is True
    assert Pupil.objects.get(ine=gone.ine).disabled_at is None  # back: the purge's clock stops
    assert Pupil.objects.filter(school=school).count() == 10


@pytest.mark.django_db
def test_pupils_who_left_are_skipped_and_reported(tmp_path, school):
    pupils = generated_pupils(6, DIVISIONS, seed=3)
    data = xml_for(school, pupils, left=(0,), no_division=(1,))
    code, out, _ = run_command(tmp_path, data, school.uai, "--json")
    report = json.loads(out)
    assert report["created"] == 4 and report["left"] == 1 and report["skipped"] == 1


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, school):
    pupils = generated_pupils(12, DIVISIONS, seed=4)
    code, out, _ = run_command(tmp_path, xml_for(school, pupils), school.uai, "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["created"] == 12
    assert not Pupil.objects.exists() and not Division.objects.exists() and not SiecleImport.objects.exists()


@pytest.mark.django_db
def test_rejected_file_exits_1_with_the_reason_and_changes_nothing(tmp_path, school, other_school):
    pupils = generated_pupils(5, DIVISIONS, seed=5)
    code, out, err = run_command(tmp_path, siecle_xml(other_school.uai, pupils), school.uai, "--json")
    assert code == 1
    assert other_school.uai in err and school.uai in err
    assert json.loads(out)["errors"] and json.loads(out)["created"] == 0
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_command_reads_a_zip(tmp_path, school):
    pupils = generated_pupils(8, DIVISIONS, seed=6)
    code, out, _ = run_command(tmp_path, siecle_zip(xml_for(school, pupils)), school.uai, "--json", name="export.zip")
    assert code == 0 and json.loads(out)["created"] == 8


@pytest.mark.django_db
def test_application_is_all_or_nothing(school, monkeypatch):
    pupils = generated_pupils(20, DIVISIONS, seed=7)
    parsed = parse_pupils_file(xml_for(school, pupils), "e.xml", expected_uai=school.uai)

    def explode(*args, **kwargs):
        raise RuntimeError("panne de base")

    monkeypatch.setattr(Pupil.objects, "bulk_update", explode)
    with pytest.raises(RuntimeError):
        apply_pupils(school, parsed)
    assert not Pupil.objects.exists() and not Division.objects.exists()


@pytest.mark.django_db
def test_import_query_count_does_not_grow_with_pupils(school, other_school):
    def queries_for(target, count, seed):
        parsed = parse_pupils_file(xml_for(target, generated_pupils(count, DIVISIONS, seed=seed)), "e.xml")
        with CaptureQueriesContext(connection) as ctx:
            apply_pupils(target, parsed)
        return len(ctx)

    # SQLite caps the parameters of one statement, so its bulk inserts come in batches of ~45 rows.
    assert queries_for(school, 20, 8) == queries_for(other_school, 45, 9)
    if connection.vendor == "postgresql":
        assert queries_for(SchoolFactory(), 20, 13) == queries_for(SchoolFactory(), 1000, 14)


# --- Through the page -------------------------------------------------------------------------


def upload(client, school, data, name="ElevesSansAdresses.xml"):
    url = reverse("orga:imports", kwargs={"uai": school.uai})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_upload_through_the_page_runs_the_import(client_for, school, school_admin, django_capture_on_commit_callbacks):
    pupils = generated_pupils(15, DIVISIONS, seed=10)
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, school, xml_for(school, pupils))
    siecle_import = SiecleImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": siecle_import.id})
    siecle_import.refresh_from_db()
    assert siecle_import.status == SiecleImport.Status.DONE
    assert siecle_import.report["created"] == 15
    assert not siecle_import.file  # personal data: the file is not kept
    html = client.get(response.url).content.decode()
    assert 'data-count="created">15<' in html
    assert "Import terminé" in html
    history = client.get(reverse("orga:imports", kwargs={"uai": school.uai})).content.decode()
    assert "ElevesSansAdresses.xml" in history and "15 créés" in history


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_rejected_upload_shows_the_reasons(client_for, school, school_admin, django_capture_on_commit_callbacks):
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, b"ceci n'est pas un export", name="eleves.xml")
    siecle_import = SiecleImport.objects.get()
    assert siecle_import.status == SiecleImport.Status.FAILED
    html = client.get(reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": siecle_import.id})).content
    assert "Le fichier a été refusé : aucun élève n'a été modifié" in html.decode()
    assert not Pupil.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_too_long_values_are_refused_on_the_page_naming_pupil_and_field(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    admin = client_for(school_admin)
    data = (CORPUS / "too_long_fields.xml").read_bytes().replace(b"0751234J", school.uai.encode())
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin, school, data)
    siecle_import = SiecleImport.objects.get()
    assert siecle_import.was_refused, siecle_import.error
    url = reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": siecle_import.id})
    html = admin.get(url).content.decode()
    assert "La classe a 80 caractères (au plus 50) pour MARTIN Hugo (ELEVE_ID 2461004, INE 2345678901E)." in html
    assert "erreur inattendue" not in html
    assert not Pupil.objects.exists()


TOO_BIG = "Le fichier est trop volumineux : la taille maximale est de 20 Mo."


@pytest.mark.django_db
def test_upload_over_20_mb_is_refused_while_streaming(client_for, school, school_admin):
    body = b"<" + b" " * (21 * 1024 * 1024)
    response = upload(client_for(school_admin), school, body)
    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert not SiecleImport.objects.exists()
    # The handler stopped the upload at its first chunk: most of the body was never read.
    request = response.wsgi_request
    assert request.upload_handlers[0].received <= 1024 * 1024
    assert request._stream._pos <= 2 * 1024 * 1024 < len(body)


def test_the_upload_handler_counts_what_arrives_whatever_the_request_declares():
    from django.core.files.uploadhandler import StopUpload
    from django.test import RequestFactory

    from orga.pupils.uploads import SizeLimitedUploadHandler

    request = RequestFactory().post("/")
    handler = SizeLimitedUploadHandler(request, limit=100)
    handler.handle_raw_input(None, {}, 10, b"x")  # a lying Content-Length
    handler.new_file("file", "e.xml", "text/xml", None)
    assert handler.receive_data_chunk(b"a" * 60, 0) == b"a" * 60
    with pytest.raises(StopUpload) as stop:
        handler.receive_data_chunk(b"a" * 60, 60)
    assert stop.value.connection_reset
    assert request.upload_refused.startswith("Le fichier est trop volumineux")


@pytest.mark.django_db
def test_the_import_page_still_checks_the_csrf_token(school, school_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)
    response = upload(client, school, b"<BEE_ELEVES/>")
    assert response.status_code == 403
    assert not SiecleImport.objects.exists()
    url = reverse("orga:imports", kwargs={"uai": school.uai})
    token = client.get(url).context["csrf_token"]
    file = SimpleUploadedFile("ElevesSansAdresses.xml", b"<BEE_ELEVES/>")
    assert client.post(url, {"file": file, "csrfmiddlewaretoken": token}).status_code == 302
    assert SiecleImport.objects.count() == 1


@pytest.mark.django_db
def test_two_imports_of_one_school_cannot_run_at_once(client_for, school, school_admin):
    running = SiecleImport.objects.create(school=school, original_name="a.xml")
    response = upload(client_for(school_admin), school, b"<BEE_ELEVES/>")
    assert "Un import est déjà en cours" in response.content.decode()
    assert list(SiecleImport.objects.all()) == [running]


@pytest.mark.django_db
def test_running_import_page_polls_with_htmx(client_for, school, school_admin):
    running = SiecleImport.objects.create(school=school, original_name="a.xml", progress=40, progress_label="Lecture")
    url = reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": running.id})
    client = client_for(school_admin)
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="import-status"') and "<html" not in partial


@pytest.mark.django_db
def test_processing_twice_is_harmless(school, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile

    pupils = generated_pupils(5, DIVISIONS, seed=11)
    siecle_import = SiecleImport.objects.create(school=school, original_name="e.xml")
    siecle_import.file.save("e.xml", ContentFile(xml_for(school, pupils)))
    assert process_import(siecle_import.id) == SiecleImport.Status.DONE
    # The second delivery finds the job done: it says so and writes nothing.
    assert process_import(siecle_import.id) == SiecleImport.Status.DONE
    assert Pupil.objects.count() == 5
    siecle_import.refresh_from_db()
    assert siecle_import.attempts == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
def test_import_permissions(client_for, request, school, who, status):
    client = client_for(request.getfixturevalue(who))
    siecle_import = SiecleImport.objects.create(school=school, original_name="a.xml", status="done")
    assert client.get(reverse("orga:imports", kwargs={"uai": school.uai})).status_code == status
    assert upload(client, school, b"<x/>").status_code == status
    url = reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": siecle_import.id})
    assert client.get(url).status_code == status
    assert SiecleImport.objects.count() == 1


@pytest.mark.django_db
def test_import_of_another_school_is_404(client_for, school, school_admin, other_school):
    other_import = SiecleImport.objects.create(school=other_school, original_name="a.xml", status="done")
    url = reverse("orga:import_detail", kwargs={"uai": school.uai, "import_id": other_import.id})
    assert client_for(school_admin).get(url).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, school):
    response = client.get(reverse("orga:imports", kwargs={"uai": school.uai}))
    assert response.status_code == 302 and reverse("account_login") in response.url


@pytest.mark.worker
def test_upload_is_imported_by_the_worker(framework, celery_worker, client, school, school_admin, tmp_path, settings):
    """Through the page, with a real worker and broker when they are configured (CI)."""
    pupils = generated_pupils(40, DIVISIONS, seed=12)
    client.force_login(school_admin)
    response = upload(client, school, siecle_zip(xml_for(school, pupils)), name="ElevesSansAdresses.zip")
    assert response.status_code == 302
    siecle_import = SiecleImport.objects.get()
    deadline = time.monotonic() + 60
    while siecle_import.is_running and time.monotonic() < deadline:
        time.sleep(0.2)
        siecle_import.refresh_from_db()
    assert siecle_import.status == SiecleImport.Status.DONE, siecle_import.errors
    assert Pupil.objects.filter(school=school).count() == 40


CORPUS = Path(__file__).parent / "siecle_corpus"
GOOD_FILES = {"good_iso8859-15.xml", "good.zip", "agri_utf8_bom.csv", "agri_cp1252.csv"}
BAD_FILES = sorted(p.name for p in CORPUS.iterdir() if p.name not in GOOD_FILES and p.suffix != ".py")


def corpus_school(name):
    """The corpus's school, agricultural for the CSV files (each school type takes one format only)."""
    agricultural = name.startswith("agri_")
    return SchoolFactory(uai="0751234J", type="lycee_agricole" if agricultural else "college")


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_FILES)
def test_every_bad_file_is_refused_in_french_and_changes_nothing(tmp_path, name):
    school = corpus_school(name)
    existing = PupilFactory(school=school, ine="0000000001A")
    code, out, err = run_command(tmp_path, (CORPUS / name).read_bytes(), school.uai, name=name)
    assert code == 1
    message = err.strip()
    assert len(message) >= 20 and message[0].isupper()
    assert "Traceback" not in message and "Error" not in message and "xml.etree" not in message
    assert list(Pupil.objects.values_list("id", "is_active")) == [(existing.id, True)]
    assert not SiecleImport.objects.exists()


def test_the_parser_checks_the_lengths_the_models_keep():
    model_lengths = {field: Pupil._meta.get_field(field).max_length for field in MAX_LENGTHS if field != "division"}
    model_lengths["division"] = Division._meta.get_field("name").max_length
    assert model_lengths == MAX_LENGTHS
    stored = set(FILE_FIELDS) - {"birthdate", "sex"}  # a date, and a code the parser maps to M, F or ""
    assert stored | {"ine", "division"} == set(MAX_LENGTHS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_every_good_corpus_file_imports(tmp_path, name):
    school = corpus_school(name)
    code, out, _ = run_command(tmp_path, (CORPUS / name).read_bytes(), school.uai, "--json", name=name)
    assert code == 0, out
    assert json.loads(out)["created"] == Pupil.objects.filter(school=school).count() > 0


@pytest.mark.django_db
def test_import_history_query_count_is_fixed(client_for, school, school_admin):
    client = client_for(school_admin)
    from orga.pupils.importing import empty_report

    SiecleImport.objects.create(
        school=school, original_name="a.xml", status="done", uploaded_by=school_admin, report=empty_report()
    )
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orga:imports", kwargs={"uai": school.uai}))
    for n in range(12):
        SiecleImport.objects.create(
            school=school, original_name=f"{n}.xml", status="failed", errors=["x"], uploaded_by=school_admin
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("orga:imports", kwargs={"uai": school.uai})).content.decode()
    assert len(many) == len(few)
    assert html.count("Fichier refusé") == 12


# ----------------------------------------------------------------------------------------------- the command's lock


@pytest.mark.django_db
def test_the_command_waits_for_a_running_web_import(tmp_path, school):
    running = SiecleImport.objects.create(school=school, original_name="web.xml", status=SiecleImport.Status.RUNNING)
    code, out, err = run_command(tmp_path, xml_for(school, generated_pupils(5, DIVISIONS, seed=4)), school.uai)
    assert code == 1
    assert err.strip() == SiecleImport.busy_message
    assert not Pupil.objects.exists()
    assert list(SiecleImport.objects.values_list("id", "status")) == [(running.id, "running")]


@pytest.mark.django_db
def test_the_command_holds_the_lock_while_applying_then_releases_it(tmp_path, school, monkeypatch):
    from orga.management.commands import import_siecle

    seen = []

    def apply_and_look(school, parsed):
        seen.append(list(SiecleImport.objects.values_list("status", flat=True)))
        return apply_pupils(school, parsed)

    monkeypatch.setattr(import_siecle, "apply_pupils", apply_and_look)
    code, out, _ = run_command(tmp_path, xml_for(school, generated_pupils(5, DIVISIONS, seed=5)), school.uai)
    assert code == 0, out
    assert seen == [["running"]]
    done = SiecleImport.objects.get()
    assert (done.status, done.progress, done.report["created"]) == ("done", 100, 5)


@pytest.mark.django_db
def test_the_command_failing_leaves_no_running_import(tmp_path, school, monkeypatch):
    from django.core.management import CommandError

    from orga.management.commands import import_siecle

    def crash(school, parsed):
        raise RuntimeError("panne")

    monkeypatch.setattr(import_siecle, "apply_pupils", crash)
    with pytest.raises(CommandError, match="Une erreur inattendue a interrompu l'import") as caught:
        run_command(tmp_path, xml_for(school, generated_pupils(5, DIVISIONS, seed=6)), school.uai)
    assert caught.value.returncode == 1
    failed = SiecleImport.objects.get()
    assert failed.status == SiecleImport.Status.FAILED and not failed.is_running
    # The lock is free: the next import goes through.
    monkeypatch.undo()
    code, out, _ = run_command(tmp_path, xml_for(school, generated_pupils(5, DIVISIONS, seed=6)), school.uai)
    assert code == 0, out
    assert Pupil.objects.count() == 5


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_20_mb_before_reading_it(tmp_path, school, monkeypatch):
    path = tmp_path / "ElevesSansAdresses.xml"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: nothing is written

    def read_bytes(self):
        raise AssertionError("le fichier a été lu")

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_siecle", str(path), "--uai", school.uai, stderr=err)
    assert exit_.value.code == 1
    assert err.getvalue().startswith("Le fichier est trop volumineux (21,0 Mo) : la taille maximale est de 20 Mo.")
    assert not SiecleImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_report_tells_who_left_apart_from_who_is_absent(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    pupils = generated_pupils(10, DIVISIONS, seed=12)
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, xml_for(school, pupils))
    # Pupil 0 left (DATE_SORTIE), pupil 1 has no class this time, pupil 2 is no longer in the file.
    absent = pupils.pop(2)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, school, xml_for(school, pupils, left=(0,), no_division=(1,)))
    report = SiecleImport.objects.latest("id").report
    assert (report["left"], report["disabled"], report["skipped"]) == (1, 1, 1)
    assert not Pupil.objects.get(ine=pupils[0].ine).is_active and not Pupil.objects.get(ine=absent.ine).is_active
    assert Pupil.objects.get(ine=pupils[1].ine).is_active  # still in the file: not disabled
    html = client.get(response.url).content.decode()
    assert 'data-count="disabled">1<' in html and 'data-count="left">1<' in html and 'data-count="skipped">1<' in html
    assert "ont quitté l'établissement" in html.lower()
    assert report["left_names"] == [f"{pupils[0].last_name} {pupils[0].first_name}"]
    assert escape(report["left_names"][0]) in html
    assert "DATE_SORTIE" not in html


# ----------------------------------------------------------------------------------------------- Pix's rules (issue 13)


def detail_url(siecle_import):
    return reverse("orga:import_detail", kwargs={"uai": siecle_import.school.uai, "import_id": siecle_import.id})


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_every_error_of_a_refused_file_is_listed_on_the_page_and_nothing_is_stored(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    kept = PupilFactory(school=school, ine="0000000001A")
    divisions = list(Division.objects.values_list("id", flat=True))
    data = (CORPUS / "xml_rules.xml").read_bytes().replace(b"0751234J", school.uai.encode())
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, data)
    siecle_import = SiecleImport.objects.get()
    assert siecle_import.was_refused and siecle_import.error_count == 6 == len(siecle_import.errors)
    assert siecle_import.report == {"error_count": 6}
    html = client.get(detail_url(siecle_import)).content.decode()
    assert "6 erreurs à corriger dans le fichier" in html
    for message in siecle_import.errors:
        assert f"<li>{escape(message)}</li>" in html
    assert escape("Sexe manquant (CODE_SEXE vide) pour DEUX Fautes (ELEVE_ID 2461019, INE 5678901234H).") in html
    assert list(Pupil.objects.values_list("id", "is_active")) == [(kept.id, True)]  # untouched, not disabled
    assert list(Division.objects.values_list("id", flat=True)) == divisions


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_huge_refusal_lists_the_first_errors_and_counts_them_all(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    pupils = generated_pupils(250, DIVISIONS, seed=20)
    for pupil in pupils:
        pupil.sex = ""  # 250 pupils without CODE_SEXE
    client = client_for(school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, xml_for(school, pupils))
    siecle_import = SiecleImport.objects.get()
    assert siecle_import.error_count == 250 and len(siecle_import.errors) == 101
    html = client.get(detail_url(siecle_import)).content.decode()
    assert "250 erreurs à corriger dans le fichier" in html and "… et 150 autres erreurs." in html
    assert html.count("Sexe manquant (CODE_SEXE vide)") == 100
    history = client.get(reverse("orga:imports", kwargs={"uai": school.uai})).content.decode()
    assert "250 erreurs" in history
    assert not Pupil.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_an_agricultural_school_is_told_it_expects_the_csv_and_imports_it(
    client_for, django_capture_on_commit_callbacks
):
    school = SchoolFactory(uai="0751234J", type="lycee_agricole")
    admin = MembershipFactory(school=school, role="admin").user
    client = client_for(admin)
    page = client.get(reverse("orga:imports", kwargs={"uai": school.uai})).content.decode()
    assert 'accept=".csv"' in page and "Le fichier CSV des élèves" in page
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, (CORPUS / "good.zip").read_bytes(), name="ElevesSansAdresses.zip")
    refused = SiecleImport.objects.get()
    assert refused.errors == [
        "Ce fichier est un export SIECLE (archive ZIP) : votre établissement est un lycée agricole, qui importe ses "
        "élèves avec le fichier CSV (séparateur « ; », colonnes « Identifiant unique* » … « Division* »). "
        "Déposez ce fichier CSV."
    ]
    assert "votre établissement est un lycée agricole" in client.get(detail_url(refused)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, (CORPUS / "agri_utf8_bom.csv").read_bytes(), name="eleves.csv")
    assert SiecleImport.objects.latest("id").status == SiecleImport.Status.DONE
    stored = {
        p.last_name: (p.birth_country_code, p.birth_department_code, p.birth_city_code) for p in Pupil.objects.all()
    }
    assert stored == {
        "LEBŒUF": ("100", "075", "75056"),  # 99100 in the file: SIECLE's 100 in the database
        "GARÇON": ("100", "067", "67482"),
        "BENALI": ("100", "013", "13055"),
        "MÜLLER": ("132", "99", ""),
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_siecle_school_is_told_it_expects_siecle_export(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    client = client_for(school_admin)
    page = client.get(reverse("orga:imports", kwargs={"uai": school.uai})).content.decode()
    assert 'accept=".xml,.zip"' in page and "L&#x27;export SIECLE « ElevesSansAdresses »" in page
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, (CORPUS / "agri_utf8_bom.csv").read_bytes(), name="eleves.csv")
    [message] = SiecleImport.objects.get().errors
    assert message.startswith("Ce fichier est un fichier CSV : seuls les lycées agricoles")
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_the_command_counts_every_error_of_a_refused_file(tmp_path, school):
    pupils = generated_pupils(130, DIVISIONS, seed=22)
    for pupil in pupils:
        pupil.birth_country_code, pupil.birth_department_code, pupil.birth_city = "100", "069", "LYON"  # no commune
    code, out, err = run_command(tmp_path, xml_for(school, pupils), school.uai, "--json")
    report = json.loads(out)
    assert code == 1 and report["error_count"] == 130 and len(report["errors"]) == 101
    assert report["errors"][-1] == "… et 30 autres erreurs."
    assert err.count("CODE_COMMUNE_INSEE_NAISS vide") == 100
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_the_birth_department_is_stored_and_updated(tmp_path, school):
    pupils = generated_pupils(3, DIVISIONS, seed=21)
    run_command(tmp_path, xml_for(school, pupils), school.uai)
    assert all(p.birth_department_code for p in Pupil.objects.filter(birth_country_code="100"))
    moved_birth = SamplePupil(**{**vars(pupils[0]), "birth_country_code": "100", "birth_department_code": "069",
                                 "birth_city_code": "69123", "birth_city": "LYON"})  # fmt: skip
    code, out, _ = run_command(tmp_path, xml_for(school, [moved_birth, *pupils[1:]]), school.uai, "--json")
    assert json.loads(out)["updated"] == 1
    assert Pupil.objects.get(ine=pupils[0].ine).birth_department_code == "069"
