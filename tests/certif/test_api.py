"""The livret scolaire's API (LSU, LSL), as Pix offers it: a client-credentials token, then a school's
certifications by UAI, every status code and rule, checked against the OpenAPI document."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certif.course.models import CertificationCourse
from certif.handover.api import tokens
from certif.handover.api.clients import create_client
from certif.handover.api.openapi import DOCUMENT
from certif.handover.api.views import MAX_FAILURES_PER_ADDRESS
from certif.handover.models import CERTIFICATIONS_SCOPE, ApiClient, HandOver
from certif.results.models import CertificationResult
from certif.sessions.models import Candidate
from crcn.models import Competence
from tests.factories import PupilFactory, SchoolFactory, UserFactory

from .helpers import make_session

TOKEN_URL = "/api/application/token"
PUBLISHED_AT = datetime.datetime(2027, 5, 2, 8, 30, tzinfo=datetime.UTC)
STARTED_AT = datetime.datetime(2027, 4, 8, 7, 5, 12, 345000, tzinfo=datetime.UTC)
LEVELS = {"5.2": 2, "1.1": 3}
UNAUTHORIZED_CLIENT = {"title": "Unauthorized", "detail": "The client ID and/or secret are invalid.", "status": "401"}
UNAUTHORIZED_TOKEN = {
    "title": "Unauthorized access",
    "detail": "Missing or invalid access token in request authorization headers.",
    "status": "401",
}
FORBIDDEN_SCOPE = {"title": "Forbidden", "detail": "The scope is not allowed.", "status": "403"}
FORBIDDEN_ACCESS = {"title": "Forbidden access", "detail": "Missing or insufficient permissions.", "status": "403"}


def certifications_url(uai):
    return f"/api/organizations/{uai}/certifications"


@pytest.fixture
def lsu(db):
    """(client, secret) allowed the certifications' scope and another one."""
    return create_client("LSU", f"{CERTIFICATIONS_SCOPE} statistics")


@pytest.fixture
def api(client):
    """A test client whose posts are form-encoded, as OAuth2 wants them."""
    from urllib.parse import urlencode

    class Api:
        def post(self, url, data, **extra):
            return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded", **extra)

        def get(self, url, token=None, **extra):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.get(url, headers=headers, **extra)

    return Api()


def form(api_client, secret, scope=CERTIFICATIONS_SCOPE, **fields):
    """The token request's fields; a field given as None is left out."""
    data = {"grant_type": "client_credentials", "client_id": api_client.client_id, "client_secret": secret}
    data |= {"scope": scope} | fields
    return {key: value for key, value in data.items() if value is not None}


def token_for(api_client, scopes=(CERTIFICATIONS_SCOPE,)):
    return tokens.issue(api_client, scopes)


def certify(
    pupil,
    *,
    school=None,
    status="validated",
    score=412,
    levels=LEVELS,
    published=True,
    started_at=STARTED_AT,
    code=None,
    ine=None,
):
    """A result of `pupil` (a candidate linked to them, or only sharing their INE when `ine` is given) in a session
    of `school` (the pupil's by default)."""
    session = make_session(school or pupil.school)
    if published:
        session.published_at = PUBLISHED_AT
        session.status = "processed"
        session.save()
    candidate = Candidate.objects.create(
        session=session,
        pupil=None if ine else pupil,
        ine=ine or pupil.ine,
        last_name=pupil.last_name,
        first_name=pupil.first_name,
        birthdate=pupil.birthdate,
    )
    course = CertificationCourse.objects.create(
        candidate=candidate, started_at=started_at, deadline=started_at, ended_at=started_at, seed="graine"
    )
    CertificationResult.objects.create(
        candidate=candidate,
        status=status,
        pix_score=score,
        competence_levels=levels,
        verification_code=code,
    )
    return course


def certifications(response):
    assert response.status_code == 200, response.content
    return response.json()["data"]["attributes"]["certifications"]


def check_against_openapi(response, path, method):
    """The response's body matches the schema the OpenAPI document gives for its path, method and status."""
    described = DOCUMENT["paths"][path][method]["responses"][str(response.status_code)]
    schema = described["content"]["application/json"]["schema"] | {"components": DOCUMENT["components"]}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(response.json())


# --- POST /api/application/token ------------------------------------------------------------------------------


def test_a_registered_client_gets_a_bearer_token_not_cached(api, lsu):
    api_client, secret = lsu
    response = api.post(TOKEN_URL, form(api_client, secret, f"{CERTIFICATIONS_SCOPE} statistics"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "access_token", "client_id"}
    assert body["token_type"] == "bearer" and body["client_id"] == api_client.client_id
    assert tokens.read(body["access_token"]) == {
        "client_id": api_client.client_id,
        "scopes": [CERTIFICATIONS_SCOPE, "statistics"],
    }
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    check_against_openapi(response, "/application/token", "post")


def test_the_secret_is_stored_hashed(lsu):
    api_client, secret = lsu
    stored = ApiClient.objects.get().secret_hash
    assert secret not in stored and check_password(secret, stored)


@pytest.mark.parametrize("who", ["unknown client", "wrong secret", "inactive client"])
def test_a_wrong_client_or_secret_is_refused_with_pixs_error(api, lsu, who):
    api_client, secret = lsu
    fields = form(api_client, secret)
    if who == "unknown client":
        fields["client_id"] = "NOT REGISTERED"
    elif who == "wrong secret":
        fields["client_secret"] = "invalid secret"
    else:
        ApiClient.objects.update(is_active=False)
    response = api.post(TOKEN_URL, fields)
    assert response.status_code == 401
    assert response.json() == {"errors": [UNAUTHORIZED_CLIENT]}
    check_against_openapi(response, "/application/token", "post")


def test_a_scope_not_allowed_is_forbidden_even_beside_an_allowed_one(api, lsu):
    api_client, secret = lsu
    response = api.post(TOKEN_URL, form(api_client, secret, f"invalid-scope {CERTIFICATIONS_SCOPE}"))
    assert response.status_code == 403
    assert response.json() == {"errors": [FORBIDDEN_SCOPE]}
    check_against_openapi(response, "/application/token", "post")


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"grant_type": "password"}, '"grant_type" must be [client_credentials]'),
        ({"grant_type": None}, '"grant_type" must be [client_credentials]'),
        ({"scope": None}, '"scope" is required'),
        ({"client_secret": None}, '"client_secret" is required'),
    ],
)
def test_a_wrong_grant_type_or_a_missing_field_is_a_bad_request(api, lsu, fields, detail):
    api_client, secret = lsu
    response = api.post(TOKEN_URL, form(api_client, secret, **fields))
    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad Request", "detail": detail, "status": "400"}]}
    check_against_openapi(response, "/application/token", "post")


def test_the_token_wants_a_form_and_a_post(client, lsu):
    api_client, secret = lsu
    response = client.post(TOKEN_URL, json.dumps(form(api_client, secret)), "application/json")
    assert response.status_code == 415 and response.json()["errors"][0]["status"] == "415"
    assert client.get(TOKEN_URL).status_code == 405


def test_the_token_needs_no_csrf_token(lsu):
    api_client, secret = lsu
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        TOKEN_URL,
        f"grant_type=client_credentials&client_id={api_client.client_id}&client_secret={secret}"
        f"&scope={CERTIFICATIONS_SCOPE}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


def test_failed_token_requests_are_throttled_per_address(api, lsu):
    api_client, secret = lsu
    for _ in range(MAX_FAILURES_PER_ADDRESS):
        assert api.post(TOKEN_URL, form(api_client, "non")).status_code == 401
    right = form(api_client, secret)
    response = api.post(TOKEN_URL, right)
    assert response.status_code == 429
    assert response.json() == {
        "errors": [
            {"title": "Too Many Requests", "detail": "Too many failed attempts, try again later.", "status": "429"}
        ]
    }
    check_against_openapi(response, "/application/token", "post")
    other_address = api.post(TOKEN_URL, right, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


# --- GET /api/organizations/<uai>/certifications: who may read ---------------------------------------------------


def test_without_a_token_it_is_unauthorized(api, school):
    response = api.get(certifications_url(school.uai))
    assert response.status_code == 401
    assert response.json() == {"errors": [UNAUTHORIZED_TOKEN]}
    check_against_openapi(response, "/organizations/{uai}/certifications", "get")


def test_a_user_sign_in_never_authorises_the_api(client_for, superuser, school):
    response = client_for(superuser).get(certifications_url(school.uai))
    assert response.status_code == 401 and response.json() == {"errors": [UNAUTHORIZED_TOKEN]}


@pytest.mark.parametrize("token", ["n'importe-quoi", "other salt", "deactivated client", "unknown client"])
def test_a_bad_token_is_unauthorized(api, lsu, school, token):
    api_client, _secret = lsu
    if token == "other salt":
        token = signing.dumps({"client_id": api_client.client_id, "scopes": [CERTIFICATIONS_SCOPE]})
    elif token == "deactivated client":
        token = token_for(api_client)
        ApiClient.objects.update(is_active=False)
    elif token == "unknown client":
        token = token_for(ApiClient(client_id="personne"))
    response = api.get(certifications_url(school.uai), token)
    assert response.status_code == 401 and response.json() == {"errors": [UNAUTHORIZED_TOKEN]}


def test_a_token_expires_after_4_hours(api, lsu, school, monkeypatch):
    api_client, _secret = lsu
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - tokens.MAX_AGE_SECONDS - 1)
    expired = token_for(api_client)
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - tokens.MAX_AGE_SECONDS + 60)
    still_valid = token_for(api_client)
    monkeypatch.undo()
    response = api.get(certifications_url(school.uai), expired)
    assert response.status_code == 401 and response.json() == {"errors": [UNAUTHORIZED_TOKEN]}
    assert api.get(certifications_url(school.uai), still_valid).status_code == 200


def test_a_token_of_another_scope_is_forbidden(api, lsu, school):
    api_client, _secret = lsu
    response = api.get(certifications_url(school.uai), token_for(api_client, ["statistics"]))
    assert response.status_code == 403
    assert response.json() == {"errors": [FORBIDDEN_ACCESS]}
    check_against_openapi(response, "/organizations/{uai}/certifications", "get")


def test_only_a_get(api, lsu, school):
    api_client, _secret = lsu
    response = api.post(
        certifications_url(school.uai), {}, headers={"Authorization": f"Bearer {token_for(api_client)}"}
    )
    assert response.status_code == 405


# --- GET: the body ---------------------------------------------------------------------------------------------


def test_a_validated_certification_field_by_field_with_the_framework(api, lsu, school):
    api_client, _secret = lsu
    pupil = PupilFactory(
        school=school,
        first_name="Léa",
        middle_name="Anne",
        last_name="MARTIN",
        ine="1234567890A",
        birthdate=datetime.date(2012, 3, 9),
    )
    course = certify(pupil, code="P-Y468BCDF")
    response = api.get(certifications_url(school.uai), token_for(api_client))
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["type"] == "certificationsResults" and "id" not in body["data"]
    assert body["data"]["attributes"]["certifications"] == [
        {
            "id": course.id,
            "firstName": "Léa",
            "middleName": "Anne",
            "thirdName": None,
            "lastName": "MARTIN",
            "birthdate": "2012-03-09",
            "nationalStudentId": "1234567890A",
            "status": "validated",
            "pixScore": 412,
            "verificationCode": "P-Y468BCDF",
            "date": "2027-04-08T07:05:12.345Z",
            "deliveredAt": "2027-05-02T08:30:00.000Z",
            "certificationCenter": "Collège Jean-Moulin",
            "competenceResults": [{"competenceId": "1.1", "level": 3}, {"competenceId": "5.2", "level": 2}],
        }
    ]
    codes = list(Competence.objects.order_by("code").values_list("code", flat=True))
    assert len(codes) == 16
    assert body["data"]["relationships"] == {
        "competences": {"data": [{"type": "competences", "id": code} for code in codes]}
    }
    first_competence = Competence.objects.select_related("domain").get(code="1.1")
    assert body["included"][:2] == [
        {
            "type": "areas",
            "id": "1",
            "attributes": {"name": first_competence.domain.title},
            "relationships": {},
        },
        {
            "type": "competences",
            "id": "1.1",
            "attributes": {"name": first_competence.title},
            "relationships": {"area": {"data": {"type": "areas", "id": "1"}}},
        },
    ]
    assert [item["id"] for item in body["included"] if item["type"] == "areas"] == ["1", "2", "3", "4", "5"]
    assert [item["id"] for item in body["included"] if item["type"] == "competences"] == codes
    check_against_openapi(response, "/organizations/{uai}/certifications", "get")


def test_rejected_and_unpublished_have_no_score_nor_competences(api, lsu, school):
    api_client, _secret = lsu
    rejected = PupilFactory(school=school, last_name="ALPHA", first_name="Rose")
    certify(rejected, status="rejected", score=0, levels={})  # as scoring writes a rejected result: no marks
    pending = PupilFactory(school=school, last_name="BETA", first_name="Noé")
    certify(pending, published=False)
    rows = certifications(api.get(certifications_url(school.uai), token_for(api_client)))
    assert [(row["lastName"], row["status"], row["pixScore"], row["competenceResults"]) for row in rows] == [
        ("ALPHA", "rejected", 0, []),
        ("BETA", "pending", 0, []),
    ]
    assert rows[1]["deliveredAt"] is None and rows[1]["verificationCode"] is None


def test_only_the_latest_certification_not_cancelled(api, lsu, school):
    api_client, _secret = lsu
    pupil = PupilFactory(school=school)
    certify(pupil, started_at=STARTED_AT - datetime.timedelta(days=30), score=100)
    latest = certify(pupil, started_at=STARTED_AT, score=300)
    certify(pupil, started_at=STARTED_AT - datetime.timedelta(days=10), score=200)
    certify(pupil, started_at=STARTED_AT + datetime.timedelta(days=10), status="cancelled", score=500)
    rows = certifications(api.get(certifications_url(school.uai), token_for(api_client)))
    assert [(row["id"], row["pixScore"]) for row in rows] == [(latest.id, 300)]


def test_a_latest_certification_without_marks_is_left_out(api, lsu, school):
    api_client, _secret = lsu
    pupil = PupilFactory(school=school)
    certify(pupil, started_at=STARTED_AT - datetime.timedelta(days=30))
    certify(pupil, levels={})
    assert certifications(api.get(certifications_url(school.uai), token_for(api_client))) == []


def test_only_active_pupils_of_that_school(api, lsu, school, other_school):
    api_client, _secret = lsu
    certify(PupilFactory(school=school, is_active=False))
    certify(PupilFactory(school=other_school))
    assert certifications(api.get(certifications_url(school.uai), token_for(api_client))) == []


def test_a_certification_taken_in_a_former_school_still_counts(api, lsu, school, other_school):
    api_client, _secret = lsu
    pupil = PupilFactory(school=school, ine="0987654321B", last_name="DURAND")
    former = PupilFactory(school=other_school, ine="0987654321B", last_name="DURAND", is_active=False)
    course = certify(pupil, school=other_school, ine=former.ine)
    rows = certifications(api.get(certifications_url(school.uai), token_for(api_client)))
    assert [(row["id"], row["status"], row["certificationCenter"]) for row in rows] == [
        (course.id, "validated", other_school.name)
    ]


def test_sorted_by_last_name_first_name_then_id(api, lsu, school):
    api_client, _secret = lsu
    ids = {}
    for last, first in [("MARTIN", "Zoé"), ("DUPONT", "Yanis"), ("MARTIN", "Anna"), ("MARTIN", "Anna")]:
        ids.setdefault((last, first), []).append(
            certify(PupilFactory(school=school, last_name=last, first_name=first)).id
        )
    rows = certifications(api.get(certifications_url(school.uai), token_for(api_client)))
    assert [(row["lastName"], row["firstName"], row["id"]) for row in rows] == [
        ("DUPONT", "Yanis", ids["DUPONT", "Yanis"][0]),
        ("MARTIN", "Anna", ids["MARTIN", "Anna"][0]),
        ("MARTIN", "Anna", ids["MARTIN", "Anna"][1]),
        ("MARTIN", "Zoé", ids["MARTIN", "Zoé"][0]),
    ]


def test_the_uai_is_compared_without_case(api, lsu):
    api_client, _secret = lsu
    school = SchoolFactory(uai="0751234B")
    certify(PupilFactory(school=school))
    assert len(certifications(api.get(certifications_url("0751234b"), token_for(api_client)))) == 1


def test_a_uai_with_nothing_or_unknown_gives_an_empty_list(api, lsu, school):
    api_client, _secret = lsu
    for uai in (school.uai, "9999999Z"):
        response = api.get(certifications_url(uai), token_for(api_client))
        assert certifications(response) == []
        assert len(response.json()["included"]) == 16 + 5
        check_against_openapi(response, "/organizations/{uai}/certifications", "get")
    assert HandOver.objects.count() == 1  # the unknown UAI's pull has no school to record


def test_each_pull_is_recorded_as_a_hand_over(api, lsu, school):
    api_client, _secret = lsu
    certify(PupilFactory(school=school))
    certify(PupilFactory(school=school))
    api.get(certifications_url(school.uai), token_for(api_client))
    hand_over = HandOver.objects.get()
    assert (hand_over.kind, hand_over.school, hand_over.client, hand_over.certifications, hand_over.user) == (
        "api_pull",
        school,
        api_client,
        2,
        None,
    )
    assert hand_over.school_year == school.school_year


def test_the_queries_do_not_grow_with_the_rows(api, lsu, school, other_school):
    api_client, _secret = lsu
    token = token_for(api_client)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            certifications(api.get(certifications_url(school.uai), token))
        return len(captured)

    certify(PupilFactory(school=school))
    few = queries()
    for index in range(6):
        pupil = PupilFactory(school=school)
        certify(pupil, started_at=STARTED_AT - datetime.timedelta(days=index + 1))
        certify(pupil, school=other_school, status="rejected")
    assert queries() == few


# --- OpenAPI ---------------------------------------------------------------------------------------------------


def test_the_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.json() == json.loads(json.dumps(DOCUMENT))
    assert response.json()["openapi"].startswith("3.")
    assert set(response.json()["paths"]) == {"/application/token", "/organizations/{uai}/certifications"}
    for schema in DOCUMENT["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert reverse("api:openapi") == "/api/openapi.json"


# --- The command and the admin site ----------------------------------------------------------------------------


def test_the_command_prints_the_credentials_once_as_json(api, capsys, db):
    call_command("create_api_client", "--name", "LSL", "--scope", CERTIFICATIONS_SCOPE, "--json")
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"client_id", "client_secret"}
    stored = ApiClient.objects.get(client_id=printed["client_id"])
    assert (stored.name, stored.scopes, stored.is_active) == ("LSL", CERTIFICATIONS_SCOPE, True)
    assert printed["client_secret"] not in stored.secret_hash
    response = api.post(TOKEN_URL, form(stored, printed["client_secret"]))
    assert response.status_code == 200


def test_the_command_speaks_french_without_json(capsys, db):
    call_command("create_api_client", "--name", "LSU")
    out = capsys.readouterr().out
    client = ApiClient.objects.get()
    assert f"Identifiant (client_id) : {client.client_id}" in out
    assert "il ne sera plus jamais affiché" in out and client.secret_hash not in out


def test_a_superuser_creates_a_client_in_the_admin_and_sees_its_secret_once(client_for, superuser):
    client = client_for(superuser)
    response = client.post(
        reverse("admin:certif_apiclient_add"),
        {"name": "LSU", "scopes": CERTIFICATIONS_SCOPE, "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get()
    page = response.content.decode()
    secret = page.split("secret : ")[1].split(" ")[0]
    assert check_password(secret, api_client.secret_hash)
    assert api_client.client_id in page and api_client.secret_hash not in page
    change = client.get(reverse("admin:certif_apiclient_change", args=[api_client.id])).content.decode()
    assert secret not in change and api_client.secret_hash not in change
    listing = client.get(reverse("admin:certif_apiclient_changelist")).content.decode()
    assert api_client.client_id in listing and secret not in listing


def test_the_admin_deactivates_clients(client_for, superuser, lsu):
    api_client, _secret = lsu
    response = client_for(superuser).post(
        reverse("admin:certif_apiclient_changelist"),
        {"action": "deactivate", "_selected_action": [api_client.id]},
        follow=True,
    )
    assert response.status_code == 200 and not ApiClient.objects.get().is_active


def test_only_a_superuser_manages_clients(client_for, db):
    staff = UserFactory(username="equipe", is_staff=True)
    assert client_for(staff).get(reverse("admin:certif_apiclient_changelist")).status_code == 403


# --- The scripted client, as LSU runs it -----------------------------------------------------------------------


@pytest.fixture
def crcn_framework(transactional_db):
    from crcn.framework import load_framework
    from crcn.models import Domain, Level

    load_framework(Domain, Competence, Level)


def test_the_lsu_script_pulls_a_schools_results(live_server, crcn_framework):
    school = SchoolFactory(name="Collège Jean-Moulin", uai="0693834T")
    pupil = PupilFactory(school=school, first_name="Léa", last_name="MARTIN", ine="1234567890A")
    course = certify(pupil, code="P-Y468BCDF")
    api_client, secret = create_client("LSU")
    script = Path(__file__).resolve().parents[2] / "scripts" / "lsu_client.py"
    completed = subprocess.run(
        [sys.executable, str(script), "--base-url", live_server.url, "--uai", "0693834t"]
        + ["--client-id", api_client.client_id],
        env={"LSU_CLIENT_SECRET": secret, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    printed = json.loads(completed.stdout)
    assert [
        (row["id"], row["lastName"], row["status"], row["pixScore"], row["verificationCode"]) for row in printed
    ] == [(course.id, "MARTIN", "validated", 412, "P-Y468BCDF")]
    assert HandOver.objects.get().client == api_client

    refused = subprocess.run(
        [sys.executable, str(script), "--base-url", live_server.url, "--uai", "0693834T"]
        + ["--client-id", api_client.client_id, "--client-secret", "faux"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1 and json.loads(refused.stderr)["errors"] == [UNAUTHORIZED_CLIENT]
