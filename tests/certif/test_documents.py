"""The session's PDFs: attendance sheet, convocations, invigilator's kit, blank incident report."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from certif.documents.sheets import DOCUMENTS
from certif.sessions.views.sessions import DOCUMENT_LINKS
from tests.factories import DivisionFactory

from .helpers import enrol_pupil as enrol
from .helpers import make_session, url

HOSTILE = "<script>alert('x')</script> \"O'Neil\"\nLigne"


@pytest.fixture
def session(school):
    session = make_session(school, invigilators=[("Mme Roy", None), ("M. Petit", None)])
    third_b = DivisionFactory(school=school, name="3e B")
    third_a = DivisionFactory(school=school, name="3e A")
    enrol(session, "ZOLA", "Émile", third_a, username="emile.zola")
    enrol(session, "ABADIE", "Inès", third_b, extra=33)
    enrol(session, "MARTIN", "Léa", third_a)
    return session


def pdf(client, session, kind):
    response = client.get(url("session_document", session.school, session_id=session.id, kind=kind))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return response, [" ".join(page.extract_text().split()) for page in reader.pages]  # wrapped cells joined


def test_the_session_page_links_every_document():
    assert [kind for kind, _label in DOCUMENT_LINKS] == list(DOCUMENTS)


@pytest.mark.django_db
def test_attendance_sheet_lists_the_candidates_by_name_with_the_columns(client_for, session, school_admin):
    response, pages = pdf(client_for(school_admin), session, "emargement")
    assert response["Content-Disposition"] == f'attachment; filename="emargement-session-{session.number}.pdf"'
    text = "\n".join(pages)
    assert len(pages) == 1
    for header in ("Nom", "Prénom", "Date de naissance", "Classe", "Signature"):
        assert header in text
    assert f"session n° {session.number}" in text and "Collège Jean-Moulin" in text and "Salle 104" in text
    assert "Mme Roy, M. Petit" in text and "03/05/2012" in text
    assert text.index("ABADIE") < text.index("MARTIN") < text.index("ZOLA")


@pytest.mark.django_db
def test_attendance_sheet_of_a_full_room_repeats_its_header(client_for, school, school_admin):
    session = make_session(school, capacity=60)
    division = DivisionFactory(school=school, name="3e C")
    for n in range(45):
        enrol(session, f"NOM{n:02d}", "Prénom", division)
    _response, pages = pdf(client_for(school_admin), session, "emargement")
    assert len(pages) > 1
    for page in pages:
        assert "Signature" in page and f"session n° {session.number}" in page


@pytest.mark.django_db
def test_convocations_one_page_per_candidate_class_after_class(client_for, session, school_admin):
    _response, pages = pdf(client_for(school_admin), session, "convocations")
    assert len(pages) == 3
    # 3e A first (MARTIN then ZOLA by name), then 3e B
    assert "MARTIN" in pages[0] and "ZOLA" in pages[1] and "ABADIE" in pages[2]
    assert "Classe : 3e A" in pages[0] and "Classe : 3e B" in pages[2]
    assert "08:45" in pages[0] and "09:00" in pages[0]  # arrive 15 minutes before the start
    assert "emile.zola" in pages[1]
    assert "33 %" in pages[2] and "Temps majoré" not in pages[0]
    assert "Salle 104" in pages[0] and "12 rue des Écoles" in pages[0]


@pytest.mark.django_db
def test_invigilator_kit_gives_the_codes_and_the_steps(client_for, session, school_admin):
    _response, pages = pdf(client_for(school_admin), session, "kit-surveillant")
    text = "\n".join(pages)
    assert len(pages) == 1
    assert str(session.number) in text and session.access_code in text and session.invigilator_password in text
    assert "Déroulé" in text and "Salle 104" in text and "09:00" in text


@pytest.mark.django_db
def test_blank_incident_report(client_for, session, school_admin):
    _response, pages = pdf(client_for(school_admin), session, "pv-incident")
    text = "\n".join(pages)
    assert len(pages) == 1
    for header in ("Candidat", "N° de question", "description", "Heure", "Signatures"):
        assert header in text
    assert str(session.number) in text and "Salle 104" in text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_a_teacher_gets_403_another_school_404_an_unknown_document_404(
    client_for, session, teacher, other_school_admin, school_admin, kind
):
    target = url("session_document", session.school, session_id=session.id, kind=kind)
    assert client_for(teacher).get(target).status_code == 403
    assert client_for(other_school_admin).get(target).status_code == 404
    assert client_for(None).get(target).status_code == 302
    unknown = url("session_document", session.school, session_id=session.id, kind="inconnu")
    assert client_for(school_admin).get(unknown).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_hostile_strings_are_escaped(client_for, school, school_admin, kind):
    session = make_session(school, room=HOSTILE, address=HOSTILE, invigilators=[(HOSTILE, None)])
    enrol(session, HOSTILE, HOSTILE, DivisionFactory(school=school, name=HOSTILE))
    response, pages = pdf(client_for(school_admin), session, kind)
    text = "\n".join(pages)
    assert "<script>" in text  # shown as text, not read as markup
    assert "\n" not in response["Content-Disposition"] and response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_the_session_page_shows_the_download_links(client_for, session, school_admin):
    page = client_for(school_admin).get(url("session_detail", session.school, session_id=session.id)).content.decode()
    for kind in DOCUMENTS:
        assert url("session_document", session.school, session_id=session.id, kind=kind) in page


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["emargement", "convocations"])
def test_the_queries_stay_the_same_as_candidates_grow(client_for, session, school_admin, kind):
    client = client_for(school_admin)
    target = url("session_document", session.school, session_id=session.id, kind=kind)
    with CaptureQueriesContext(connection) as three:
        client.get(target)
    division = DivisionFactory(school=session.school, name="3e D")
    for n in range(5):
        enrol(session, f"NOUVEAU{n}", "Élève", division, username=f"nouveau{n}")
    with CaptureQueriesContext(connection) as eight:
        client.get(target)
    assert len(eight) == len(three)
