"""Certification's sensitive actions in the school's journal: finalisation, publication, every download of results
or candidates' documents, and each pull of the livret scolaire's API (its client and address)."""

import datetime

import pytest
from django.urls import reverse

from certif.handover.api import tokens
from certif.handover.api.clients import create_client
from certif.handover.models import CERTIFICATIONS_SCOPE
from certif.results import scoring
from orga.audit.models import AuditEvent
from orga.audit.services import Action

from .helpers import make_session, url
from .test_results import enrol, session, sit  # noqa: F401  (the fixture `session` too)

PROXY = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.7"}


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def assert_by(event, user, school, address="127.0.0.1"):
    assert event.actor == user and event.actor_label == user.display_name
    assert event.school == school and event.address == address


@pytest.mark.django_db
def test_finalising_a_session_and_its_pv_are_recorded(client_for, school, school_admin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    open_session = make_session(school, date=datetime.date(2026, 4, 8))
    enrol(open_session, "ABSENT", "Alice")
    client = client_for(school_admin)
    client.post(url("finalise", school, session_id=open_session.id), {}, **PROXY)
    open_session.refresh_from_db()
    assert not open_session.is_open
    (finalised,) = events(Action.SESSION_FINALISED)
    assert_by(finalised, school_admin, school, address="198.51.100.7")
    assert finalised.target_id == str(open_session.id) and finalised.target_type == "session de certification"
    assert client.get(url("session_pv", school, session_id=open_session.id)).status_code == 200
    assert [event.description for event in events(Action.CERTIFICATION_EXPORTED)] == ["PV de session (PDF)"]


@pytest.mark.django_db
def test_a_refused_finalisation_records_nothing(client_for, school, school_admin):
    open_session = make_session(school, date=datetime.date(2099, 4, 8))
    client_for(school_admin).post(url("finalise", school, session_id=open_session.id), {})
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_publication_and_the_results_files_are_recorded(client_for, school, school_admin, session):  # noqa: F811
    sit(enrol(session, "MARTIN", "Léa", "3e A"), ["ok"] * 32)
    scoring.score_session(session.id)
    client = client_for(school_admin)
    client.post(url("session_results_publish", school, session_id=session.id))
    (published,) = events(Action.RESULTS_PUBLISHED)
    assert_by(published, school_admin, school)
    assert published.description == f"Session n° {session.number} publiée"
    assert client.get(url("session_results_csv", school, session_id=session.id)).status_code == 200
    division_csv = url("division_results_csv", school, session_id=session.id)
    assert client.get(division_csv, {"classe": "3e A"}).status_code == 200
    exported = events(Action.CERTIFICATION_EXPORTED)
    assert [event.description for event in exported] == [
        "Résultats de la session (CSV)",
        "Résultats d'une classe de la session (CSV)",
    ]
    assert exported[0].detail["file"].endswith(".csv")


@pytest.mark.django_db
def test_the_session_documents_are_recorded(client_for, school, school_admin, session):  # noqa: F811
    enrol(session, "MARTIN", "Léa", "3e A")
    response = client_for(school_admin).get(url("session_document", school, session_id=session.id, kind="emargement"))
    assert response.status_code == 200
    (document,) = events(Action.CERTIFICATION_EXPORTED)
    assert_by(document, school_admin, school)
    assert document.description == "Feuille d'émargement (PDF)" and document.detail == {"document": "emargement"}


@pytest.mark.django_db
def test_the_livret_scolaire_files_and_attestations_are_recorded(
    client_for,
    school,
    school_admin,
    session,  # noqa: F811
):
    sit(enrol(session, "MARTIN", "Léa", "3e A"), ["ok", "ko"] * 16)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    client = client_for(school_admin)
    assert client.get(url("class_export", school, extension="csv"), {"classe": "3e A"}).status_code == 200
    (lsu,) = events(Action.LSU_EXPORTED)
    assert_by(lsu, school_admin, school)
    assert lsu.target_label == "3e A" and lsu.description.startswith("Résultats de la classe pour le LSU / LSL (csv")
    assert client.get(url("class_attestations", school), {"classe": "3e A"}).status_code == 200
    (attestations,) = events(Action.CERTIFICATION_EXPORTED)
    assert attestations.description.startswith("1 attestation(s) de certification (PDF")


@pytest.mark.django_db
def test_each_api_pull_is_recorded_with_its_client_and_address(client, school, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    api_client, _secret = create_client("LSU <b>académie</b>", CERTIFICATIONS_SCOPE)
    token = tokens.issue(api_client, [CERTIFICATIONS_SCOPE])
    response = client.get(
        reverse("api:certifications", kwargs={"uai": school.uai}), headers={"Authorization": f"Bearer {token}"}, **PROXY
    )
    assert response.status_code == 200
    (pull,) = events(Action.API_PULL)
    assert pull.actor is None and pull.actor_label == "Client de l'API « LSU <b>académie</b> »"
    assert pull.school == school and pull.address == "198.51.100.7"
    assert pull.description == "0 certification(s) lue(s) par le livret scolaire"


@pytest.mark.django_db
def test_an_unauthorised_pull_records_nothing(client, school):
    client.get(reverse("api:certifications", kwargs={"uai": school.uai}), headers={"Authorization": "Bearer x"})
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_deleting_a_session_is_recorded(client_for, school, school_admin):
    doomed = make_session(school, date=datetime.date(2027, 4, 8))
    enrol(doomed, "DUPONT", "Alice")
    number, doomed_id = doomed.number, doomed.id
    client_for(school_admin).post(url("session_delete", school, session_id=doomed_id))
    (deleted,) = events(Action.SESSION_DELETED)
    assert_by(deleted, school_admin, school)
    assert deleted.target_id == str(doomed_id) and deleted.target_type == "session de certification"
    assert deleted.description == f"Session n° {number} du 08/04/2027 supprimée, avec 1 inscription"
    assert deleted.detail == {"enrolled": 1}
