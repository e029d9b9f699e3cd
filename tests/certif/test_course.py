"""The candidate's certification test: started once, one question at a time, one browser, the time limit, problems
reported, and what the invigilator does about them."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from certif.candidates.enrolment import enrol
from certif.course import services
from certif.course.access import BROWSER_KEY
from certif.course.models import CertificationAlert, CertificationCourse
from certif.sessions.models import Candidate
from tests.concurrency import at_once as run_at_once
from tests.factories import PupilFactory, UserFactory

from .helpers import make_session
from .test_invigilation import sign_in_invigilator

Kind, Reason = CertificationAlert.Kind, CertificationCourse.EndReason


def _present(session, pupil_id, extra_time=0):
    enrol(session, [pupil_id])
    now = timezone.now()
    candidate = Candidate.objects.get(session=session, pupil_id=pupil_id)
    Candidate.objects.filter(id=candidate.id).update(
        identity_confirmed_at=now, presence_confirmed_at=now, extra_time_percentage=extra_time
    )
    candidate.refresh_from_db()
    return candidate


@pytest.fixture
def candidate(session, pupil):
    return _present(session, pupil.pupil.id)


@pytest.fixture
def browser(pupil):
    """The pupil's browser (a client of its own, signed in)."""
    client = Client()
    client.force_login(pupil)
    return client


@pytest.fixture
def invigilator(session):
    client = Client()
    sign_in_invigilator(client, session)
    return client


def link(name, candidate):
    return reverse(f"certif:{name}", kwargs={"candidate_id": candidate.id})


def course_of(candidate):
    return CertificationCourse.objects.get(candidate=candidate)


def current(candidate):
    return course_of(candidate).questions.filter(answered_at__isnull=True, neutralised=False).get()


def right_answer(challenge):
    if challenge.type == "qcm":
        return {"reponse": [str(i) for i in challenge.solution]}
    return {"reponse": str(challenge.solution) if challenge.type == "qcu" else challenge.solution[0]}


def answer(client, candidate, question, data=None):
    data = right_answer(question.challenge) if data is None else data
    return client.post(link("test_answer", candidate), {"question": question.number, **data})


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Starting and serving


def test_a_present_candidate_starts_the_test(browser, candidate):
    before = timezone.now()
    response = browser.get(link("test", candidate))
    assert response.status_code == 200
    page = response.content.decode()
    course = course_of(candidate)
    candidate.refresh_from_db()
    assert candidate.started_at == course.started_at >= before
    assert course.deadline == course.started_at + datetime.timedelta(minutes=105)
    assert course.seed and course.browser_key == browser.session[BROWSER_KEY]
    assert "Question 1 / 32" in page
    assert 6200 < response.context["seconds_left"] <= 105 * 60
    assert f'data-countdown="{response.context["seconds_left"]}"' in page
    assert "Temps restant au chargement de la page" in page and "1 h 4" in page
    assert 'aria-live="polite"' in page
    question = course.questions.get()
    assert question.number == 1 and response.context["challenge"] == question.challenge
    assert str(escape(question.challenge.instruction)) in page


def test_extra_time_lengthens_the_deadline(school, session):
    candidate = _present(session, PupilFactory(school=school).id, extra_time=30)
    course = services.open_course(candidate.id, "key").course
    assert course.deadline - course.started_at == datetime.timedelta(minutes=137)  # ceil(105 × 1.3)


def test_not_present_yet_goes_back_to_the_waiting_page(browser, candidate):
    Candidate.objects.filter(id=candidate.id).update(presence_confirmed_at=None)
    response = browser.get(link("test", candidate))
    assert response["Location"] == link("arrival_waiting", candidate)
    assert not CertificationCourse.objects.exists()
    assert browser.get(link("test_end", candidate))["Location"] == link("test", candidate)
    response = browser.post(link("test_answer", candidate), {"question": "1", "passer": "1"})
    assert services.NOT_STARTED in flashed(response)
    assert not CertificationCourse.objects.exists()


def test_a_reload_shows_the_same_question_and_starts_once(browser, candidate):
    first = browser.get(link("test", candidate))
    second = browser.get(link("test", candidate))
    assert first.context["question"].id == second.context["question"].id
    assert CertificationCourse.objects.count() == 1
    assert course_of(candidate).questions.count() == 1


# Answering


def test_answers_one_at_a_time(browser, candidate):
    browser.get(link("test", candidate))
    question = current(candidate)
    response = answer(browser, candidate, question)
    assert response["Location"] == link("test", candidate)
    question.refresh_from_db()
    assert question.result == "ok" and question.is_answered
    course = course_of(candidate)
    assert course.answered_count == 1 and course.last_answered_at is not None
    following = current(candidate)  # chosen under the same lock, before the page asks for it
    assert following.number == 2 and following.challenge_id != question.challenge_id
    page = browser.get(link("test", candidate)).content.decode()
    assert "Question 2 / 32" in page
    answer(browser, candidate, following, {"passer": "1"})
    following.refresh_from_db()
    assert following.result == "skipped" and course_of(candidate).answered_count == 2


def test_a_wrong_answer_counts_wrong(browser, candidate):
    browser.get(link("test", candidate))
    question = current(candidate)
    wrong = {"reponse": "une réponse au hasard"} if question.challenge.type == "qroc" else {"reponse": "99"}
    answer(browser, candidate, question, wrong)
    question.refresh_from_db()
    assert question.result == "ko"


def test_an_answer_to_another_question_is_refused(browser, candidate):
    browser.get(link("test", candidate))
    question = current(candidate)
    response = browser.post(link("test_answer", candidate), {"question": question.number + 4, "passer": "1"})
    assert services.NOT_CURRENT in flashed(response)
    answer(browser, candidate, question, {"passer": "1"})
    again = answer(browser, candidate, question, {"passer": "1"})  # a double submit
    assert services.NOT_CURRENT in flashed(again)
    assert course_of(candidate).answered_count == 1


def test_an_empty_answer_asks_for_one(browser, candidate):
    browser.get(link("test", candidate))
    response = browser.post(link("test_answer", candidate), {"question": current(candidate).number})
    assert any("« Je passe »" in m for m in flashed(response))
    assert course_of(candidate).answered_count == 0


def test_32_answers_complete_the_test(browser, candidate):
    browser.get(link("test", candidate))
    for _ in range(services.QUESTIONS):
        answer(browser, candidate, current(candidate), {"passer": "1"})
    course = course_of(candidate)
    assert course.end_reason == Reason.COMPLETED and course.answered_count == 32
    assert course.questions.count() == 32 and course.browser_key == ""
    response = browser.get(link("test", candidate))
    assert response["Location"] == link("test_end", candidate)
    page = browser.get(link("test_end", candidate)).content.decode()
    assert "Votre test est terminé" in page and "Montrez cet écran à votre surveillant" in page
    assert "score" not in page and "niveau" not in page  # no score


def test_time_over_ends_the_test_at_the_next_request(browser, candidate):
    browser.get(link("test", candidate))
    question = current(candidate)
    answer(browser, candidate, question)
    CertificationCourse.objects.filter(candidate=candidate).update(deadline=timezone.now() - datetime.timedelta(1))
    late = current(candidate)
    response = answer(browser, candidate, late)
    assert services.TIME_OVER in flashed(response)
    late.refresh_from_db()
    assert not late.is_answered
    course = course_of(candidate)
    assert course.end_reason == Reason.TIME_OVER and course.answered_count == 1  # the answers are kept
    assert browser.get(link("test", candidate))["Location"] == link("test_end", candidate)


def test_time_over_on_opening(browser, candidate):
    browser.get(link("test", candidate))
    CertificationCourse.objects.filter(candidate=candidate).update(deadline=timezone.now() - datetime.timedelta(1))
    assert browser.get(link("test", candidate))["Location"] == link("test_end", candidate)
    assert course_of(candidate).end_reason == Reason.TIME_OVER


# One browser


def test_another_browser_asks_the_invigilator_then_takes_over(browser, pupil, candidate, invigilator):
    browser.get(link("test", candidate))
    question = current(candidate)
    other = Client()
    other.force_login(pupil)  # another sign-in, another computer
    page = other.get(link("test", candidate)).content.decode()
    assert "Votre surveillant doit autoriser la reprise" in page and 'hx-trigger="every 5s"' in page
    other.get(link("test", candidate), HTTP_HX_REQUEST="true")  # its polling asks no second time
    assert CertificationAlert.objects.filter(kind=Kind.RESUME).count() == 1
    assert course_of(candidate).resume_requested_at is not None
    response = answer(other, candidate, question)
    assert services.RESUME_NEEDED in flashed(response)
    question.refresh_from_db()
    assert not question.is_answered

    live = invigilator.get(reverse("certif:invigilation")).content.decode()
    assert "Attention requise" in live and "Demande de reprise" in live
    response = invigilator.post(link("authorise_resume", candidate))
    assert response["Location"] == reverse("certif:invigilation")
    alert = CertificationAlert.objects.get(kind=Kind.RESUME)
    assert alert.handled_at is not None and alert.outcome == "accepted"
    assert course_of(candidate).browser_key == ""

    polled = other.get(link("test", candidate), HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == link("test", candidate)
    assert course_of(candidate).browser_key == other.session[BROWSER_KEY]
    assert other.get(link("test", candidate)).context["question"].id == question.id  # the same question
    answer(other, candidate, question)
    assert course_of(candidate).answered_count == 1
    # The first browser is now the other one: refused, and it asks again.
    refused = answer(browser, candidate, current(candidate))
    assert services.RESUME_NEEDED in flashed(refused)
    assert "Votre surveillant doit autoriser la reprise" in browser.get(link("test", candidate)).content.decode()
    assert CertificationAlert.objects.pending().filter(kind=Kind.RESUME).count() == 1


def test_no_resume_to_authorise(invigilator, browser, candidate):
    browser.get(link("test", candidate))
    response = invigilator.post(link("authorise_resume", candidate))
    assert any("n'a pas demandé de reprise" in m for m in flashed(response))
    assert course_of(candidate).browser_key


# Problems on a question


def test_a_problem_reported_then_accepted_neutralises_the_question(browser, candidate, invigilator):
    browser.get(link("test", candidate))
    answer(browser, candidate, current(candidate))
    question = current(candidate)
    response = browser.post(link("test_report", candidate), {"question": question.number, "message": "Image absente"})
    assert any("surveillant a été prévenu" in m for m in flashed(response))
    alert = CertificationAlert.objects.get(kind=Kind.CHALLENGE_PROBLEM)
    assert alert.question == question and alert.message == "Image absente" and alert.handled_at is None
    page = browser.get(link("test", candidate)).content.decode()
    assert "votre surveillant a été prévenu" in page and "Question 2 / 32" in page

    live = invigilator.get(reverse("certif:invigilation"))
    assert live.context["candidates"][0].needs_attention
    assert "Problème signalé sur la question 2" in live.content.decode()
    problem_page = reverse("certif:handle_problem", kwargs={"alert_id": alert.id})
    assert problem_page in live.content.decode()
    page = invigilator.get(problem_page).content.decode()
    assert "« Image absente »" in page and "E12 — Problème d&#x27;accessibilité de la question" in page
    response = invigilator.post(
        reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "accepter", "categorie": "E1"}
    )
    assert any("neutralisée" in m for m in flashed(response))
    alert.refresh_from_db()
    question.refresh_from_db()
    assert alert.outcome == "accepted" and alert.category == "E1" and question.neutralised
    replacement = current(candidate)
    assert replacement.number == 3 and replacement.challenge_id != question.challenge_id
    page = browser.get(link("test", candidate)).content.decode()
    assert "Question 2 / 32" in page  # the neutralised question does not count
    assert course_of(candidate).answered_count == 1


def test_an_answered_question_neutralised_gives_one_more_question(browser, candidate, invigilator):
    browser.get(link("test", candidate))
    question = current(candidate)
    browser.post(link("test_report", candidate), {"question": question.number, "message": ""})
    answer(browser, candidate, question)  # the pupil may keep answering
    assert course_of(candidate).answered_count == 1
    alert = CertificationAlert.objects.get(kind=Kind.CHALLENGE_PROBLEM)
    invigilator.post(
        reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "accepter", "categorie": "E12"}
    )
    assert course_of(candidate).answered_count == 0
    assert current(candidate).number == 2


def test_a_problem_refused_keeps_the_question(browser, candidate, invigilator):
    browser.get(link("test", candidate))
    question = current(candidate)
    browser.post(link("test_report", candidate), {"question": question.number, "message": "Je ne comprends pas"})
    alert = CertificationAlert.objects.get()
    no_category = invigilator.post(
        reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "accepter", "categorie": "E6"}
    )
    assert any("Choisissez la catégorie" in m for m in flashed(no_category))
    assert no_category["Location"] == reverse("certif:handle_problem", kwargs={"alert_id": alert.id})
    alert.refresh_from_db()
    assert alert.handled_at is None
    invigilator.post(reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "refuser"})
    alert.refresh_from_db()
    question.refresh_from_db()
    assert alert.outcome == "refused" and not question.neutralised
    assert current(candidate).id == question.id
    again = invigilator.post(reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "refuser"})
    assert any("déjà été traité" in m for m in flashed(again))
    page = invigilator.get(reverse("certif:handle_problem", kwargs={"alert_id": alert.id}))
    assert page["Location"] == reverse("certif:invigilation")


def test_a_hostile_message_is_escaped_and_a_long_one_refused(browser, candidate, invigilator):
    browser.get(link("test", candidate))
    question = current(candidate)
    too_long = browser.post(link("test_report", candidate), {"question": question.number, "message": "x" * 501})
    assert services.MESSAGE_TOO_LONG in flashed(too_long)
    assert not CertificationAlert.objects.exists()
    hostile = '<script>alert("x")</script>'
    browser.post(link("test_report", candidate), {"question": question.number, "message": hostile})
    alert = CertificationAlert.objects.get()
    for page_url in (reverse("certif:invigilation"), reverse("certif:handle_problem", kwargs={"alert_id": alert.id})):
        page = invigilator.get(page_url).content.decode()
        assert hostile not in page and escape(hostile) in page


# The invigilator ends a test


def test_the_invigilator_ends_a_test_after_confirming(browser, candidate, invigilator):
    browser.get(link("test", candidate))
    confirmation = invigilator.get(link("end_test", candidate))
    assert confirmation.status_code == 200 and "Oui, terminer le test" in confirmation.content.decode()
    assert course_of(candidate).ended_at is None
    invigilator.post(link("end_test", candidate))
    course = course_of(candidate)
    assert course.end_reason == Reason.ENDED_BY_INVIGILATOR
    assert browser.get(link("test", candidate))["Location"] == link("test_end", candidate)
    refused = answer(browser, candidate, course.questions.get())
    assert services.ENDED in flashed(refused)
    live = invigilator.get(reverse("certif:invigilation")).content.decode()
    assert "Test terminé par le surveillant" in live


def test_an_invigilator_of_another_session_cannot_act(school, browser, pupil, candidate):
    browser.get(link("test", candidate))
    question = current(candidate)
    browser.post(link("test_report", candidate), {"question": question.number, "message": "?"})
    other_pupil_browser = Client()
    other_pupil_browser.force_login(pupil)
    other_pupil_browser.get(link("test", candidate))  # a resume asked
    elsewhere = Client()
    sign_in_invigilator(elsewhere, make_session(school, room="Salle 200"))
    alert = CertificationAlert.objects.get(kind=Kind.CHALLENGE_PROBLEM)
    elsewhere.post(link("authorise_resume", candidate))
    elsewhere.post(link("end_test", candidate))
    response = elsewhere.post(
        reverse("certif:handle_problem", kwargs={"alert_id": alert.id}), {"decision": "accepter", "categorie": "E1"}
    )
    assert any("aucun candidat de cette session" in m for m in flashed(response))
    assert elsewhere.get(link("end_test", candidate)).status_code == 404
    assert elsewhere.get(reverse("certif:handle_problem", kwargs={"alert_id": alert.id})).status_code == 404
    course = course_of(candidate)
    assert course.ended_at is None and course.browser_key == browser.session[BROWSER_KEY]
    assert CertificationAlert.objects.pending().count() == 2
    anonymous = Client()
    assert anonymous.post(link("end_test", candidate))["Location"] == reverse("certif:invigilator_sign_in")


# Who may open the test


@pytest.mark.parametrize("name", ["test", "test_answer", "test_report", "test_end"])
def test_only_the_candidate_opens_their_test(client_for, school, other_school, school_admin, candidate, name):
    page = link(name, candidate)
    post = name in ("test_answer", "test_report")
    fetch = (lambda client: client.post(page, {"question": "1", "passer": "1"})) if post else (lambda c: c.get(page))
    anonymous = fetch(client_for(None))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert fetch(client_for(school_admin)).status_code == 403
    classmate = PupilFactory(school=school, user=UserFactory(username="camarade")).user
    assert fetch(client_for(classmate)).status_code == 404
    stranger = PupilFactory(school=other_school, user=UserFactory(username="ailleurs")).user
    assert fetch(client_for(stranger)).status_code == 404
    assert not CertificationCourse.objects.exists()


def test_answer_and_report_need_post(browser, candidate):
    assert browser.get(link("test_answer", candidate)).status_code == 405
    assert browser.get(link("test_report", candidate)).status_code == 405


# The invigilator's live list


def test_live_list_attention_first_and_constant_queries(school, session, invigilator):
    def candidates(count, start):
        pupils = [PupilFactory(school=school, last_name=f"ELEVE{start + n:03d}", user=None) for n in range(count)]
        return [_present(session, p.id) for p in pupils]

    def load():
        with CaptureQueriesContext(connection) as queries:
            response = invigilator.get(reverse("certif:invigilation"), HTTP_HX_REQUEST="true")
        return response, len(queries)

    def busy(group):
        # One testing with a resume asked, one with a problem reported, one finished.
        for candidate in group:
            services.open_course(candidate.id, "first")
        services.open_course(group[0].id, "second")
        services.report_problem(group[1].id, "first", current(group[1]).number, "Le site ne répond pas")
        services.end_course(course_of(group[2]).id, Reason.COMPLETED)

    busy(candidates(3, 0))
    waiting = candidates(1, 3)[0]
    Candidate.objects.filter(id=waiting.id).update(presence_confirmed_at=None)
    response, few = load()
    rows = response.context["candidates"]
    assert [c.last_name for c in rows] == ["ELEVE000", "ELEVE001", "ELEVE003", "ELEVE002"]
    assert [c.needs_attention for c in rows] == [True, True, False, False]
    assert [c.arrival_label for c in rows[1:]] == ["Test en cours", "Identité confirmée, en attente", "Test terminé"]
    page = response.content.decode()
    assert "Attention requise : 2 candidats ont besoin de vous" in page
    assert "0 / 32 questions répondues · temps restant : 1 h 4" in page
    assert "Test terminé par le candidat · 0 / 32" in page
    for start in range(10, 34, 3):
        busy(candidates(3, start))
    candidates(2, 40)  # present, not started yet: the session's 30 places taken
    response, many = load()
    assert len(response.context["candidates"]) == 30
    assert many == few


# Requests at once (PostgreSQL: SQLite serialises writes and has no row lock)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Requêtes simultanées : il faut PostgreSQL (DATABASE_URL, comme en CI).",
)
TABS = 6


def at_once(browser, request):
    """`request(client)` from TABS tabs of `browser` (its session cookie) at once: the status of each."""
    tabs = [Client(raise_request_exception=False) for _ in range(TABS)]
    for tab in tabs:
        tab.cookies = browser.cookies
    return run_at_once(tabs, request, lambda response: response.status_code)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_tabs_at_once_start_once_and_record_one_answer(framework, school, pupil):
    candidate = _present(make_session(school), pupil.pupil.id)
    browser = Client()
    browser.force_login(pupil)
    browser.get(link("arrival_waiting", candidate))  # where the browser gets its key, before the tabs share it
    assert at_once(browser, lambda tab: tab.get(link("test", candidate))) == [200] * TABS
    assert CertificationCourse.objects.count() == 1
    question = current(candidate)
    data = {"question": question.number, **right_answer(question.challenge)}
    assert at_once(browser, lambda tab: tab.post(link("test_answer", candidate), data)) == [302] * TABS
    course = course_of(candidate)
    assert course.answered_count == 1
    assert course.questions.filter(answered_at__isnull=False).count() == 1
    assert course.questions.count() == 2  # the next question chosen once


def test_an_answer_and_the_next_question_cost_a_fixed_number_of_queries(browser, candidate):
    """The answer's POST chooses the next question under the course's lock; the page that follows only reads."""
    browser.get(link("test", candidate))
    counts = []
    for _ in range(4):
        question = current(candidate)
        with CaptureQueriesContext(connection) as queries:
            response = answer(browser, candidate, question)
            assert browser.get(response["Location"]).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1 and counts[0] <= 30, counts
