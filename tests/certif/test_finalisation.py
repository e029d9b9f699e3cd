"""A session's finalisation by a school admin: absences, end screens, abort reasons, issue reports, the global
comment and flags, the lock that follows, and the PV de session."""

import datetime
import io
import threading
from html import unescape

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certif.course.models import CertificationCourse
from certif.finalisation.models import IssueReport
from certif.finalisation.services import FinalisationRefused, add_issue_report, finalise
from certif.models import Candidate, Session

from .helpers import make_session, url

PAST = datetime.date(2026, 11, 30)
HOSTILE = "<script>alert('x')</script> \"O'Neil\" & <b>gras</b>"
End = CertificationCourse.EndReason


def enrol(session, last_name, first_name, **fields):
    return Candidate.objects.create(
        session=session,
        ine="123456789AB",
        last_name=last_name,
        first_name=first_name,
        birthdate=datetime.date(2012, 5, 3),
        division_name="3e A",
        **fields,
    )


def start(candidate, *, answered=32, end=End.COMPLETED):
    """A course as the test leaves it: ended for `end` (None: still running), with `answered` answers."""
    now = timezone.now()
    candidate.started_at = now
    candidate.save(update_fields=["started_at"])
    return CertificationCourse.objects.create(
        candidate=candidate,
        started_at=now,
        deadline=now + datetime.timedelta(minutes=105),
        seed="graine",
        answered_count=answered,
        ended_at=now if end else None,
        end_reason=end or "",
    )


@pytest.fixture
def session(school):
    """ABSENT did not come, BERNARD completed, CARON is still running, DUBOIS ran out of time."""
    session = make_session(school, date=PAST, invigilators=[("Mme Roy", None), ("M. Petit", None)])
    enrol(session, "ABSENT", "Alice")
    start(enrol(session, "BERNARD", "Bruno"))
    start(enrol(session, "CARON", "Chloé"), answered=12, end=None)
    start(enrol(session, "DUBOIS", "Denis"), answered=25, end=End.TIME_OVER)
    return session


FIRST_NAMES = {"ABSENT": "Alice", "BERNARD": "Bruno", "CARON": "Chloé", "DUBOIS": "Denis"}


def cand(session, last_name):
    """The candidate enrolled as `last_name` (found by first name: a test may rename them)."""
    return session.candidates.get(first_name=FIRST_NAMES[last_name])


def valid_post(session, **extra):
    data = {
        f"ecran-{cand(session, 'BERNARD').id}": "on",
        f"abandon-{cand(session, 'CARON').id}": "technical",
        f"abandon-{cand(session, 'DUBOIS').id}": "candidate",
        "comment": "Coupure réseau à 9 h 40.",
        "has_incident": "on",
    }
    return data | extra


def valid_choices(session):
    return {
        cand(session, "BERNARD").id: (True, ""),
        cand(session, "CARON").id: (False, "technical"),
        cand(session, "DUBOIS").id: (False, "candidate"),
    }


def text_of(response):
    return " ".join(unescape(response.content.decode()).split())


def pdf_text(content):
    return "\n".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


# --- Who may finalise ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("school_admin", 200), ("teacher", 403), ("other_school_admin", 404)])
def test_only_the_school_admin_opens_the_finalisation(request, client_for, session, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url("finalise", session.school, session_id=session.id)).status_code == status
    report = client.post(
        url("issue_report_add", session.school, candidate_id=cand(session, "BERNARD").id),
        {"category": "C6"},
    )
    assert report.status_code == (302 if status == 200 else status)


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client_for, session):
    for response in (
        client_for(None).get(url("finalise", session.school, session_id=session.id)),
        client_for(None).get(url("session_pv", session.school, session_id=session.id)),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.django_db
def test_another_schools_admin_cannot_touch_a_report_or_the_pv(client_for, session, other_school_admin):
    report = add_issue_report(cand(session, "BERNARD"), category="C6")
    client = client_for(other_school_admin)
    assert client.post(url("issue_report_remove", session.school, report_id=report.id)).status_code == 404
    assert client.get(url("session_pv", session.school, session_id=session.id)).status_code == 404
    assert IssueReport.objects.filter(id=report.id).exists()


# --- The page ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_absents_answers_and_how_each_test_ended(client_for, session, school_admin):
    response = client_for(school_admin).get(url("finalise", session.school, session_id=session.id))
    text = text_of(response)
    assert "Absent" in text and "32/32" in text and "12/32" in text and "25/32" in text
    assert "Test terminé par le candidat" in text and "Temps écoulé" in text
    assert "Test en cours : il sera clos à la finalisation" in text
    absent = cand(session, "ABSENT").id
    assert f'name="ecran-{absent}"' not in response.content.decode()  # nothing to tick for an absent
    assert f'name="abandon-{cand(session, "DUBOIS").id}"' in response.content.decode()
    assert f'name="abandon-{cand(session, "CARON").id}"' in response.content.decode()
    assert f'name="abandon-{cand(session, "BERNARD").id}"' not in response.content.decode()  # completed
    assert "0 / 500 caractères" in text


@pytest.mark.django_db
def test_the_session_page_links_the_finalisation_once_the_date_has_come(client_for, session, school_admin):
    client = client_for(school_admin)
    page = client.get(url("session_detail", session.school, session_id=session.id)).content.decode()
    assert url("finalise", session.school, session_id=session.id) in page
    assert url("session_pv", session.school, session_id=session.id) not in page


@pytest.mark.django_db
def test_a_future_session_cannot_be_finalised(client_for, school, school_admin, on_4_december_2026):
    session = make_session(school, date=datetime.date(2027, 4, 8))
    client = client_for(school_admin)
    detail = text_of(client.get(url("session_detail", school, session_id=session.id)))
    assert "pourra être finalisée à partir du 08/04/2027" in detail
    assert url("finalise", school, session_id=session.id) not in detail
    page = text_of(client.get(url("finalise", school, session_id=session.id)))
    assert "ne peut être finalisée qu'à partir de ce jour" in page and "Finaliser la session</button>" not in page
    response = client.post(url("finalise", school, session_id=session.id), {})
    assert response.status_code == 400 and "08/04/2027" in text_of(response)
    session.refresh_from_db()
    assert session.status == Session.Status.CREATED


# --- Finalising -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finalising_ends_the_running_test_and_locks_the_session(client_for, session, school_admin):
    response = client_for(school_admin).post(
        url("finalise", session.school, session_id=session.id), valid_post(session), follow=True
    )
    assert response.redirect_chain[-1][0] == url("session_detail", session.school, session_id=session.id)
    assert f"Session n° {session.number} finalisée" in text_of(response)
    session.refresh_from_db()
    assert session.status == Session.Status.FINALISED and session.finalised_at is not None
    assert session.examiner_global_comment == "Coupure réseau à 9 h 40."
    assert session.has_incident and not session.has_joining_issue
    caron = cand(session, "CARON")
    assert caron.course.is_ended and caron.course.end_reason == End.ENDED_AT_FINALISATION
    assert caron.abort_reason == "technical" and not caron.end_screen_seen
    assert cand(session, "BERNARD").end_screen_seen and cand(session, "BERNARD").abort_reason == ""
    assert cand(session, "DUBOIS").abort_reason == "candidate"
    assert cand(session, "ABSENT").abort_reason == "" and not hasattr(cand(session, "ABSENT"), "course")
    assert url("session_pv", session.school, session_id=session.id) in response.content.decode()


@pytest.mark.django_db
def test_an_unfinished_test_needs_an_abort_reason_and_nothing_is_written(client_for, session, school_admin):
    data = valid_post(session)
    del data[f"abandon-{cand(session, 'CARON').id}"]
    response = client_for(school_admin).post(url("finalise", session.school, session_id=session.id), data)
    assert response.status_code == 400
    assert "CARON Chloé n'a pas terminé son test : indiquez la raison de l'abandon" in text_of(response)
    session.refresh_from_db()
    assert session.status == Session.Status.CREATED and session.examiner_global_comment == ""
    assert not cand(session, "CARON").course.is_ended
    assert not cand(session, "BERNARD").end_screen_seen and cand(session, "DUBOIS").abort_reason == ""
    # What was typed comes back; the empty reason is marked at its field, the chosen one is not.
    assert "Coupure réseau à 9 h 40." in text_of(response)
    caron, dubois = cand(session, "CARON").id, cand(session, "DUBOIS").id
    assert f'aria-describedby="abandon-{caron}-erreur"' in response.content.decode()
    assert f"abandon-{dubois}-erreur" not in response.content.decode()


@pytest.mark.django_db
def test_a_completed_test_refuses_an_abort_reason(client_for, session, school_admin):
    data = valid_post(session, **{f"abandon-{cand(session, 'BERNARD').id}": "candidate"})
    response = client_for(school_admin).post(url("finalise", session.school, session_id=session.id), data)
    assert response.status_code == 400
    assert "BERNARD Bruno a terminé son test : ne donnez pas de raison d'abandon." in text_of(response)
    assert Session.objects.get(id=session.id).is_open


@pytest.mark.django_db
def test_an_unknown_abort_reason_is_refused(session):
    choices = {cand(session, "CARON").id: (False, "météo"), cand(session, "DUBOIS").id: (False, "candidate")}
    with pytest.raises(FinalisationRefused, match="CARON Chloé : raison de l'abandon inconnue"):
        finalise(session.id, choices=choices)


@pytest.mark.django_db
def test_a_comment_over_500_characters_is_refused(client_for, session, school_admin):
    data = valid_post(session, comment="é" * 501)
    response = client_for(school_admin).post(url("finalise", session.school, session_id=session.id), data)
    assert response.status_code == 400
    assert "Commentaire global : 500 caractères au plus (501 saisis)." in text_of(response)
    assert Session.objects.get(id=session.id).is_open
    data = valid_post(session, comment="é" * 500)
    assert (
        client_for(school_admin).post(url("finalise", session.school, session_id=session.id), data).status_code == 302
    )


@pytest.mark.django_db
def test_a_second_submission_is_told_the_session_is_already_finalised(client_for, session, school_admin):
    client = client_for(school_admin)
    finalise_url = url("finalise", session.school, session_id=session.id)
    assert client.post(finalise_url, valid_post(session)).status_code == 302
    finalised_at = Session.objects.get(id=session.id).finalised_at
    again = client.post(finalise_url, valid_post(session, comment="Autre"), follow=True)
    assert "déjà finalisée" in text_of(again)
    session.refresh_from_db()
    assert session.finalised_at == finalised_at and session.examiner_global_comment == "Coupure réseau à 9 h 40."
    with pytest.raises(FinalisationRefused, match="déjà finalisée"):
        finalise(session.id, choices={})
    assert "déjà finalisée" in text_of(client.get(finalise_url, follow=True))


@pytest.mark.django_db
def test_a_finalised_session_refuses_every_edit(client_for, session, school_admin):
    report = add_issue_report(cand(session, "BERNARD"), category="C6")
    client = client_for(school_admin)
    assert client.post(url("finalise", session.school, session_id=session.id), valid_post(session)).status_code == 302
    bernard = cand(session, "BERNARD")
    added = client.post(url("issue_report_add", session.school, candidate_id=bernard.id), {"category": "C6"})
    assert added.status_code == 302 and IssueReport.objects.count() == 1
    htmx = client.post(
        url("issue_report_add", session.school, candidate_id=bernard.id), {"category": "C6"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.headers["HX-Redirect"] == url("session_detail", session.school, session_id=session.id)
    assert client.post(url("issue_report_remove", session.school, report_id=report.id)).status_code == 302
    assert IssueReport.objects.filter(id=report.id).exists()
    # The session's other pages refuse it too.
    assert client.get(url("session_edit", session.school, session_id=session.id)).status_code == 403
    assert client.post(url("session_delete", session.school, session_id=session.id)).status_code == 403
    client.post(url("enrolment", session.school, session_id=session.id), {"extra_time_percentage": 0})
    client.post(url("candidate_extra_time", session.school, candidate_id=bernard.id), {"extra_time_percentage": 33})
    client.post(url("candidate_remove", session.school, candidate_id=cand(session, "ABSENT").id))
    assert session.candidates.count() == 4 and cand(session, "BERNARD").extra_time_percentage == 0


@pytest.mark.django_db
def test_the_invigilator_loses_a_finalised_session(client, client_for, session, school_admin):
    sign_in = {"number": str(session.number), "password": session.invigilator_password}
    assert client.post(reverse("certif:invigilator_sign_in"), sign_in)["Location"] == reverse("certif:invigilation")
    finalise(session.id, choices=valid_choices(session))
    assert client.get(reverse("certif:invigilation"))["Location"] == reverse("certif:invigilator_sign_in")
    assert client.post(reverse("certif:invigilator_sign_in"), sign_in).status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="row locks")
def test_two_admins_at_once_the_second_waits_then_is_refused(session):
    """The first finalisation holds the session's row lock; the second waits for it, then sees it finalised."""
    outcome = {}

    def second():
        try:
            finalise(session.id, choices=valid_choices(session), comment="Second")
        except FinalisationRefused as refusal:
            outcome["refused"] = str(refusal)
        finally:
            connection.close()

    with transaction.atomic():
        finalise(session.id, choices=valid_choices(session), comment="Premier")
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # blocked on the row lock while the first transaction is open
    thread.join()
    assert "déjà finalisée" in outcome["refused"]
    assert Session.objects.get(id=session.id).examiner_global_comment == "Premier"


# --- Issue reports ---------------------------------------------------------------------------------------------


def add(client, candidate, **data):
    return client.post(url("issue_report_add", candidate.session.school, candidate_id=candidate.id), data)


@pytest.mark.django_db
def test_a_problem_on_a_question_needs_its_number_and_subcategory(client_for, session, school_admin):
    client = client_for(school_admin)
    bernard = cand(session, "BERNARD")
    response = add(client, bernard, category="IN_CHALLENGE", description="x")
    assert response.status_code == 400
    text = text_of(response)
    assert "Signalement pour BERNARD Bruno — Problème sur une question : choisissez le problème rencontré" in text
    assert "indiquez le numéro de la question, de 1 à 500" in text
    assert add(client, bernard, category="IN_CHALLENGE", subcategory="E6", question_number="3").status_code == 400
    assert add(client, bernard, category="IN_CHALLENGE", subcategory="E3", question_number="501").status_code == 400
    assert add(client, bernard, category="IN_CHALLENGE", subcategory="E3", question_number="0").status_code == 400
    assert not IssueReport.objects.exists()
    assert add(client, bernard, category="IN_CHALLENGE", subcategory="E3", question_number="12").status_code == 302
    report = IssueReport.objects.get()
    assert (report.category, report.subcategory, report.question_number) == ("IN_CHALLENGE", "E3", 12)


@pytest.mark.django_db
def test_other_categories_refuse_a_question_number_and_some_need_a_description(client_for, session, school_admin):
    client = client_for(school_admin)
    bernard = cand(session, "BERNARD")
    refused = add(client, bernard, category="C7", question_number="4", description="Écran noir")
    assert "ne s'indique que pour un problème sur une question" in text_of(refused)
    refused = add(client, bernard, category="C7")
    assert "Description : obligatoire pour « C7 — Incident technique non bloquant »" in text_of(refused)
    for code in ("C1", "C2", "C4", "C8"):
        assert add(client, bernard, category=code, description="  ").status_code == 400
    too_long = add(client, bernard, category="C8", description="a" * 501)
    assert "Description : 500 caractères au plus (501 saisis)." in text_of(too_long)
    assert add(client, bernard, category="NOPE").status_code == 400
    assert not IssueReport.objects.exists()
    assert add(client, bernard, category="C6").status_code == 302  # fraud: no description asked
    assert add(client, bernard, category="C1", description="Prénom : Bruno-Luc").status_code == 302
    assert IssueReport.objects.count() == 2


@pytest.mark.django_db
def test_an_absent_candidate_gets_no_report(session):
    with pytest.raises(FinalisationRefused, match="n'a pas commencé le test"):
        add_issue_report(cand(session, "ABSENT"), category="C6")


@pytest.mark.django_db
def test_reports_are_added_and_removed_as_an_htmx_fragment(client_for, session, school_admin):
    client = client_for(school_admin)
    dubois = cand(session, "DUBOIS")
    response = client.post(
        url("issue_report_add", session.school, candidate_id=dubois.id),
        {"category": "C8", "description": "Malaise à 10 h"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="signalements-{dubois.id}"') and "<html" not in html
    assert "Malaise à 10 h" in unescape(html)
    report = IssueReport.objects.get()
    refused = client.post(
        url("issue_report_add", session.school, candidate_id=dubois.id), {"category": "C8"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 200 and "obligatoire" in text_of(refused)
    removed = client.post(url("issue_report_remove", session.school, report_id=report.id), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and "Aucun signalement." in text_of(removed)
    assert not IssueReport.objects.exists()


# --- Hostile strings and the PV de session ----------------------------------------------------------------------


@pytest.fixture
def hostile_session(school, session):
    bernard = cand(session, "BERNARD")
    bernard.last_name = HOSTILE
    bernard.save()
    add_issue_report(bernard, category="C8", description=HOSTILE)
    add_issue_report(cand(session, "DUBOIS"), category="IN_CHALLENGE", subcategory="E10", question_number="17")
    return session


@pytest.mark.django_db
def test_hostile_strings_are_escaped_on_the_page(client_for, hostile_session, school_admin):
    html = client_for(school_admin).get(url("finalise", hostile_session.school, session_id=hostile_session.id))
    html = html.content.decode()
    assert "<script>alert" not in html and "<b>gras</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_the_pv_is_only_for_a_finalised_session(client_for, session, school_admin):
    assert client_for(school_admin).get(url("session_pv", session.school, session_id=session.id)).status_code == 403


@pytest.mark.django_db
def test_the_pv_tells_the_whole_session(client_for, hostile_session, school_admin):
    session = hostile_session
    client = client_for(school_admin)
    comment = "Coupure réseau à 9 h 40. " + HOSTILE
    assert client.post(url("finalise", session.school, session_id=session.id), valid_post(session, comment=comment))
    response = client.get(url("session_pv", session.school, session_id=session.id))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="pv-session-{session.number}.pdf"'
    text = pdf_text(response.content)
    assert f"Procès-verbal de session — session n° {session.number}" in text
    assert "Collège Jean-Moulin" in text and "Salle 104" in text and "12 rue des Écoles" in text
    assert "Mme Roy, M. Petit" in text and "Lundi 30 novembre 2026" in text
    assert "Inscrits Présents Tests terminés par le candidat Absents Signalements 4 3 1 1 2" in text
    assert "03/05/2012" in text and "CARON" in text and "Absent" in text
    assert "Test clos à la finalisation" in text and "Problème technique" in text
    assert "Abandon : manque de temps ou départ prématuré" in text
    assert "E10 Le candidat a été contraint de sortir de la question (question 17)" in text
    assert "C8 Incident lié au candidat non bloquant : <script>alert('x')</script>" in text
    assert "<b>gras</b>" in text  # printed as typed, never read as markup
    assert "Oui : un ou plusieurs incidents ont eu lieu" in text and "Coupure réseau à 9 h 40." in text
