"""The results' hand-over: verification codes given at publication, the public verification page."""

import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certif.results import codes, scoring, verification
from certif.results.models import CertificationResult

from .helpers import url
from .test_results import enrol, session, sit  # noqa: F401  (the fixture `session` too)

pytestmark = pytest.mark.usefixtures("on_4_december_2026")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


# --- The code's format ---------------------------------------------------------------------------------------


def test_a_code_is_p_dash_and_8_characters_of_the_alphabet():
    rng = random.Random(4)
    for _ in range(200):
        code = verification.generate(rng.choice)
        assert len(code) == 10 and code.startswith("P-")
        assert set(code[2:]) <= set(verification.ALPHABET)
        assert verification.is_verification_code(code)
    assert verification.is_verification_code(verification.generate())


@pytest.mark.parametrize(
    "text", ["", None, "P-BC4D7KQ", "P-BC4D7KQXY", "P-BC4D7KQ0", "P-bc4d7kqx", "X-BC4D7KQX", "P-BC4D7KQA", "P-BC4D7KQ5"]
)
def test_malformed_codes_are_refused(text):
    assert not verification.is_verification_code(text)


def test_typed_codes_are_normalised():
    assert verification.normalise(" p-bc4d 7kqx ") == "P-BC4D7KQX"
    assert verification.normalise("pbc4d7kqx") == "P-BC4D7KQX"


# --- Codes at publication -------------------------------------------------------------------------------------


def _publish(session, people):  # noqa: F811
    candidates = []
    for last_name, answers in people:
        candidate = enrol(session, last_name, "Prénom", "3e A")
        sit(candidate, answers)
        candidates.append(candidate)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    return [CertificationResult.objects.get(candidate=candidate) for candidate in candidates]


@pytest.mark.django_db
def test_validated_results_get_a_code_at_publication_and_rejected_ones_none(session):  # noqa: F811
    validated, rejected = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("RARE", ["ok"] * 5)])
    assert validated.status == "validated" and verification.is_verification_code(validated.verification_code)
    assert rejected.status == "rejected" and rejected.verification_code is None


@pytest.mark.django_db
def test_scoring_before_publication_gives_no_code(session):  # noqa: F811
    sit(enrol(session, "ZOLA"), ["ok", "ko"] * 16)
    scoring.score_session(session.id)
    assert CertificationResult.objects.get().verification_code is None


@pytest.mark.django_db
def test_a_collision_draws_again_and_giving_codes_is_idempotent(session):  # noqa: F811
    first, second = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("ABEL", ["ok", "ko"] * 16)])
    assert first.verification_code != second.verification_code
    taken = first.verification_code
    second.verification_code = None
    second.save()
    draws = iter(taken[2:] + "BBBBBBBB")
    assert codes.give_code(second, choice=lambda _alphabet: next(draws)) == "P-BBBBBBBB"
    assert codes.give_missing_codes(CertificationResult.objects.all()) == 0
    first.refresh_from_db()
    assert first.verification_code == taken


# --- The public page ------------------------------------------------------------------------------------------


@pytest.fixture
def published(session):  # noqa: F811
    validated, rejected = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("RARE", ["ok"] * 5)])
    rejected.verification_code = "P-BBBBBBBB"  # never given to a rejected result, but never shown either
    rejected.save()
    return validated


@pytest.mark.django_db
def test_the_public_page_shows_only_name_date_score_and_band(client, published):
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 200
    text = page.content.decode()
    candidate = published.candidate
    assert f"{candidate.first_name} {candidate.display_last_name}" in text
    assert f"{published.pix_score} pix" in text and published.level_label in text
    assert "4 décembre 2026" in text or candidate.session.date.strftime("%Y") in text
    assert candidate.birthdate.strftime("%d/%m/%Y") not in text and "Lyon" not in text
    assert candidate.session.school.name not in text


@pytest.mark.django_db
def test_unknown_unpublished_and_rejected_codes_give_the_same_404(client, published, session):  # noqa: F811
    for code in ("P-CCCCCCCC", "P-BBBBBBBB"):
        page = client.get(reverse("certif:verify", kwargs={"code": code}))
        assert page.status_code == 404 and "Certification introuvable" in page.content.decode()
    session.published_at = None
    session.save()
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 404


@pytest.mark.django_db
def test_malformed_codes_never_reach_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("certif:verify", kwargs={"code": "P-'OR1=1"}))
    assert page.status_code == 400 and "bon format" in page.content.decode()
    assert not [q for q in queries if "certif_certificationresult" in q["sql"]]
    assert client.get(reverse("certif:verify_form"), {"code": "junk"}).status_code == 400


@pytest.mark.django_db
def test_the_form_normalises_and_redirects(client, published):
    assert client.get(reverse("certif:verify_form")).status_code == 200
    typed = published.verification_code.lower().replace("-", " ")
    page = client.get(reverse("certif:verify_form"), {"code": typed})
    assert page.status_code == 302 and page["Location"].endswith(f"/verifier/{published.verification_code}/")
    lower = client.get(reverse("certif:verify", kwargs={"code": published.verification_code.lower()}))
    assert lower.status_code == 302


@pytest.mark.django_db
def test_lookups_are_throttled_per_address(client, published, settings):
    from certif.handover.views import verify

    for _ in range(verify.MAX_PER_ADDRESS):
        client.get(reverse("certif:verify", kwargs={"code": "P-CCCCCCCC"}))
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 429 and "Trop de vérifications" in page.content.decode()


# --- Exports for the livret scolaire ------------------------------------------------------------------------


def _class_published(session, people):  # noqa: F811
    for last_name, division_name, answers in people:
        sit(enrol(session, last_name, "Prénom", division_name), answers)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)


@pytest.fixture
def exported(session):  # noqa: F811
    _class_published(
        session,
        [("=HYPERLINK(1)", "3e A", ["ok", "ko"] * 16), ("RARE", "3e A", ["ok"] * 5), ("AUTRE", "3e B", ["ok"] * 32)],
    )
    return session


def _export(client, school, extension, division="3e A"):
    return client.get(url("class_export", school, extension=extension), {"classe": division})


@pytest.mark.django_db
def test_the_csv_export_has_a_bom_semicolons_the_columns_and_defused_cells(client_for, school, school_admin, exported):
    response = _export(client_for(school_admin), school, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "3e A" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:6] == ["INE", "Nom", "Prénom(s)", "Date de naissance", "Statut", "Score pix"]
    assert header[6] == "1.1" and header[21] == "5.2" and header[-2:] == ["Code de vérification", "Date de passage"]
    assert len(lines) == 3 and "AUTRE" not in body.decode("utf-8-sig")
    rows = {line.split(";")[1]: line.split(";") for line in lines[1:]}
    hostile = rows["'=HYPERLINK(1)"]
    validated = CertificationResult.objects.get(candidate__last_name="=HYPERLINK(1)")
    assert hostile[4] == "Validée" and hostile[5] == str(validated.pix_score)
    assert hostile[-2] == validated.verification_code and hostile[-1] == validated.candidate.session.date.strftime(
        "%d/%m/%Y"
    )
    assert rows["RARE"][4] == "Non obtenue" and rows["RARE"][5] == "" and rows["RARE"][-2] == ""


@pytest.mark.django_db
def test_the_excel_export_has_the_same_cells(client_for, school, school_admin, exported):
    import io

    from openpyxl import load_workbook

    response = _export(client_for(school_admin), school, "xlsx")
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "INE" and len(rows) == 3
    assert "'=HYPERLINK(1)" in {row[1] for row in rows[1:]}


@pytest.mark.django_db
def test_export_roles_and_hand_over_records(client_for, school, school_admin, teacher, other_school_admin, exported):
    from certif.handover.models import HandOver
    from orga.models import Membership
    from tests.factories import DivisionFactory

    assert _export(client_for(teacher), school, "csv").status_code == 404  # not their class
    assert _export(client_for(other_school_admin), school, "csv").status_code == 404
    assert _export(client_for(None), school, "csv").status_code == 302
    assert _export(client_for(school_admin), school, "pdf").status_code == 404
    assert _export(client_for(school_admin), school, "csv", "6e Z").status_code == 404
    assert not HandOver.objects.exists()
    Membership.objects.get(user=teacher, school=school).divisions.add(DivisionFactory(school=school, name="3e A"))
    assert _export(client_for(teacher), school, "xlsx").status_code == 200
    assert _export(client_for(teacher), school, "csv", "3e B").status_code == 404
    hand_over = HandOver.objects.get()
    assert (hand_over.kind, hand_over.school, hand_over.division_name) == ("export_xlsx", school, "3e A")
    assert hand_over.user == teacher and hand_over.certifications == 2 and hand_over.school_year == "2026-2027"


@pytest.mark.django_db
def test_the_class_page_links_the_exports(client_for, school, school_admin, exported):
    html = client_for(school_admin).get(url("results_by_class", school), {"classe": "3e A"}).content.decode()
    assert (
        url("class_export", school, extension="csv") in html and url("class_export", school, extension="xlsx") in html
    )


# --- The checklist --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_registry_item_is_ticked_from_the_school_years_hand_overs(client_for, school, school_admin, exported):
    from certif.handover.models import HandOver
    from pixdeploy import checklist

    def item():
        items = {i.label: i for step in checklist.checklist_for(school) for i in step.items}
        return items[f"Importer les résultats dans le {school.results_registry_label}"]

    assert not item().done and item().detail == "" and not item().key
    HandOver.objects.create(school=school, kind="api_pull", school_year="2025-2026")  # last year's
    assert not item().done
    _export(client_for(school_admin), school, "csv")
    assert item().done and item().detail.startswith("Résultats transmis le ") and "(export CSV)" in item().detail
    tick = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "certif_registry"})
    assert client_for(school_admin).post(tick, {"done": "1"}).status_code == 404


@pytest.mark.django_db
def test_a_pull_before_any_result_of_the_year_is_published_ticks_nothing(school):
    from certif.handover.models import HandOver
    from pixdeploy import checklist

    # The livret scolaire pulls all year long, last year's results too: that is no hand-over of this year's.
    HandOver.objects.create(school=school, kind="api_pull", school_year=school.school_year, certifications=7)
    items = {i.label: i for step in checklist.checklist_for(school) for i in step.items}
    assert not items[f"Importer les résultats dans le {school.results_registry_label}"].done


# --- Attestations ---------------------------------------------------------------------------------------------

LONG_NAME = "DE LA FONTAINE-SAINT-EXUPÉRY" + "X" * 47  # 75 characters


def _pdf_text(content, tmp_path):
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


@pytest.fixture
def attested(session, pupil):  # noqa: F811
    mine = enrol(session, "MARTIN", "Léa", "3e A")
    mine.pupil = pupil.pupil
    mine.save()
    sit(mine, ["ok", "ko"] * 16)
    sit(enrol(session, LONG_NAME, "Prénom", "3e A"), ["ok"] * 32)
    sit(enrol(session, "RARE", "Prénom", "3e A"), ["ok"] * 5)
    sit(enrol(session, "AUTRE", "Prénom", "3e B"), ["ok"] * 32)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    return CertificationResult.objects.get(candidate=mine)


def test_the_qr_code_encodes_the_verification_url(settings, tmp_path):
    from certif.handover import attestations

    settings.SITE_URL = "https://pix.example.fr/"
    url_ = attestations.verification_url("P-BC4D7KQX")
    assert url_ == "https://pix.example.fr/verifier/P-BC4D7KQX/"
    assert attestations.qr_data_uri(url_).startswith("data:image/svg+xml")
    import shutil
    import subprocess

    if shutil.which("zbarimg"):  # decode the QR code when a decoder is installed
        png = attestations.qr_code(url_)
        path = str(tmp_path / "qr.png")
        png.save(path, scale=6)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True).stdout.strip()
        assert decoded == url_


@pytest.mark.django_db
def test_the_pupil_downloads_their_own_attestation(client_for, pupil, attested, school, tmp_path, settings):
    from certif.handover.models import HandOver

    settings.SITE_URL = "https://pix.example.fr"
    client = client_for(pupil)
    assert attested.verification_code in client.get(reverse("certif:my_results")).content.decode()
    response = client.get(reverse("certif:my_attestation", kwargs={"candidate_id": attested.candidate_id}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Attestation de certification Pix" in text and "Léa MARTIN" in text
    assert attested.candidate.birthdate.strftime("%d/%m/%Y") in text and school.name in text
    born = {"F": "Née le", "M": "Né le"}.get(attested.candidate.sex, "Né·e le")  # agreed with the sex of the enrolment
    assert f"{born} {attested.candidate.birthdate:%d/%m/%Y}" in text
    assert f"{attested.pix_score} pix" in text and attested.level_label in text
    assert (
        attested.verification_code in text and f"https://pix.example.fr/verifier/{attested.verification_code}/" in text
    )
    assert "1.1" in text and "5.2" in text and text.count("niveau ") >= 16
    other = CertificationResult.objects.get(candidate__last_name="AUTRE")
    assert client.get(reverse("certif:my_attestation", kwargs={"candidate_id": other.candidate_id})).status_code == 404
    # A pupil keeping their own attestation hands nothing over to the livret scolaire: the checklist stays unticked.
    assert not HandOver.objects.exists()


@pytest.mark.django_db
def test_attestation_roles_for_the_staff(
    client_for, school, school_admin, teacher, other_school_admin, attested, tmp_path
):
    from orga.models import Membership
    from tests.factories import DivisionFactory

    page = url("pupil_attestation", school, result_id=attested.id)
    assert client_for(school_admin).get(page).status_code == 200
    assert client_for(teacher).get(page).status_code == 404
    assert client_for(other_school_admin).get(page).status_code == 404
    assert client_for(None).get(page).status_code == 302
    rejected = CertificationResult.objects.get(candidate__last_name="RARE")
    assert client_for(school_admin).get(url("pupil_attestation", school, result_id=rejected.id)).status_code == 404
    Membership.objects.get(user=teacher, school=school).divisions.add(DivisionFactory(school=school, name="3e A"))
    assert client_for(teacher).get(page).status_code == 200
    other_class = CertificationResult.objects.get(candidate__last_name="AUTRE")
    assert client_for(teacher).get(url("pupil_attestation", school, result_id=other_class.id)).status_code == 404


@pytest.mark.django_db
def test_the_class_file_has_one_page_per_validated_pupil(client_for, school, school_admin, pupil, attested, tmp_path):
    from certif.handover.models import HandOver

    response = client_for(school_admin).get(url("class_attestations", school), {"classe": "3e A"})
    assert response.status_code == 200
    from io import BytesIO

    from pypdf import PdfReader

    pages = PdfReader(BytesIO(response.content)).pages
    assert len(pages) == 2 and all("Attestation de certification Pix\n" in page.extract_text() for page in pages)
    text = _pdf_text(response.content, tmp_path)
    assert "MARTIN" in text and "RARE" not in text and "AUTRE" not in text
    assert "DE LA FONTAINE-SAINT-" in text and "X" * 40 in text.replace("\n", "")
    assert client_for(pupil).get(url("class_attestations", school), {"classe": "3e A"}).status_code in (403, 404)
    assert HandOver.objects.get().certifications == 2
    html = client_for(school_admin).get(url("results_by_class", school), {"classe": "3e A"}).content.decode()
    assert url("class_attestations", school) in html and url("pupil_attestation", school, result_id=attested.id) in html


@pytest.mark.django_db
def test_the_data_migration_gives_codes_to_results_published_before_codes(session):  # noqa: F811
    import importlib

    from django.apps import apps

    migration = importlib.import_module("certif.migrations.0007_verification_codes_for_published")
    validated, rejected = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("RARE", ["ok"] * 5)])
    CertificationResult.objects.update(verification_code=None)
    migration.give_codes(apps, None)
    migration.give_codes(apps, None)  # idempotent
    validated.refresh_from_db()
    rejected.refresh_from_db()
    assert verification.is_verification_code(validated.verification_code) and rejected.verification_code is None


@pytest.mark.django_db
def test_my_attestation_is_for_the_pupil_only(client_for, teacher, school_admin, attested):
    page = reverse("certif:my_attestation", kwargs={"candidate_id": attested.candidate_id})
    assert client_for(None).get(page).status_code == 302
    assert client_for(teacher).get(page).status_code == 403
    assert client_for(school_admin).get(page).status_code == 403
