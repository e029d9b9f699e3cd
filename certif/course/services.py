"""The candidate's test: started, served, answered, ended. Every change to a course happens under its row lock.

The engine (crcn.certification) is pure; this module loads and saves around it. A question is stored before it
is shown, so a reload shows the same one; each answer is saved, and the next question chosen, under the course's
row lock, so two requests at once (two tabs, a double submit) record one answer and choose once.

One browser answers: the browser that starts the test keeps a random key in its Django session, stored on the
course. Another browser (another sign-in, another computer) is shown a waiting page and asks the invigilator to
authorise the resume (one pending alert); the authorisation empties the key, and the next browser of the pupil
that opens the test takes it.
"""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from certif.sessions.models import Candidate
from crcn import certification
from crcn.engine import AnswerInfo, Bank
from crcn.levels import max_reachable_level
from crcn.models import Challenge
from orga.campaigns.services import check_answer, current_bank

from .models import CertificationAlert, CertificationCourse, CertificationQuestion, InChallengeProblem

QUESTIONS = certification.QUESTIONS
MESSAGE_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 1000

ENDED = "Votre test est terminé : cette réponse n'a pas été enregistrée."
TIME_OVER = "Le temps imparti est écoulé : votre test est terminé et cette réponse n'a pas été enregistrée."
RESUME_NEEDED = "Votre surveillant doit autoriser la reprise du test sur ce poste avant que vous puissiez répondre."
NOT_CURRENT = "Cette réponse ne correspond pas à la question affichée : elle n'a pas été enregistrée."
NOT_STARTED = "Votre test n'a pas commencé : attendez que le surveillant confirme votre présence."
CATEGORY_NEEDED = "Choisissez la catégorie du problème (E1 à E12) avant de l'accepter."
MESSAGE_TOO_LONG = f"Votre message dépasse {MESSAGE_MAX_LENGTH} caractères : raccourcissez-le."


class CourseError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def time_left_text(seconds):
    """« 1 h 05 min », « 12 min », « moins d'une minute »: whole minutes, rounded down."""
    minutes = seconds // 60
    if minutes <= 0:
        return "moins d'une minute" if seconds > 0 else "temps écoulé"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


# --- Opening the test (started once, one browser) ---------------------------------------------------------


class Access:
    ACTIVE = "active"  # this browser answers: `question` is the one to show
    RESUME_NEEDED = "resume_needed"  # another browser holds the test: the invigilator must authorise
    ENDED = "ended"
    NOT_PRESENT = "not_present"  # the invigilator has not confirmed the presence: no test yet


@dataclass
class Opened:
    access: str
    course: CertificationCourse | None = None
    question: CertificationQuestion | None = None


@transaction.atomic
def open_course(candidate_id, browser_key):
    """What the candidate's browser may do now: start the test (a present candidate, once), answer the current
    question, wait for the invigilator's authorisation, or see the end. A test whose time is over ends here."""
    course = CertificationCourse.objects.select_for_update().filter(candidate_id=candidate_id).first()
    if course is None:
        course = _start(candidate_id, browser_key)
        if course is None:
            return Opened(Access.NOT_PRESENT)
    refusal = _refusal(course, browser_key, ask_resume=True)
    if refusal == RESUME_NEEDED:
        return Opened(Access.RESUME_NEEDED, course)
    if refusal:
        return Opened(Access.ENDED, course)
    question = _current_question(course)
    if question is None:
        return Opened(Access.ENDED, course)
    return Opened(Access.ACTIVE, course, question)


def _start(candidate_id, browser_key):
    """Under the candidate's row lock: the course, created once for a present candidate of an open session."""
    candidate = Candidate.objects.select_for_update().select_related("session").get(id=candidate_id)
    course = CertificationCourse.objects.select_for_update().filter(candidate=candidate).first()
    if course is not None:  # started by another request while this one waited for the lock
        return course
    if candidate.presence_confirmed_at is None or not candidate.session.is_open:
        return None
    now = timezone.now()
    course = CertificationCourse.objects.create(
        candidate=candidate,
        started_at=now,
        deadline=CertificationCourse.deadline_for(now, candidate.extra_time_percentage),
        seed=secrets.token_hex(16),
        browser_key=browser_key,
    )
    candidate.started_at = now
    candidate.save(update_fields=["started_at"])
    return course


def _refusal(course, browser_key, *, ask_resume=False):
    """Under the course's row lock: why this browser may not answer now (ended, time over — then ended here —, or
    another browser's test), else None. With `ask_resume`, an empty key is taken by this browser and another
    browser's test asks the invigilator (one pending alert)."""
    if course.is_ended:
        return ENDED
    if course.seconds_left() == 0:
        _end(course, CertificationCourse.EndReason.TIME_OVER)
        return TIME_OVER
    if course.browser_key == browser_key:
        return None
    if ask_resume and not course.browser_key:
        course.browser_key = browser_key
        course.resume_requested_at = None
        course.save(update_fields=["browser_key", "resume_requested_at"])
        return None
    if ask_resume and not course.alerts.pending().filter(kind=CertificationAlert.Kind.RESUME).exists():
        course.resume_requested_at = timezone.now()
        course.save(update_fields=["resume_requested_at"])
        CertificationAlert.objects.create(course=course, kind=CertificationAlert.Kind.RESUME)
    return RESUME_NEEDED


def _lock(course_id=None, *, candidate_id=None):
    """The course's row lock, the course found by its id or its candidate's (None if not started)."""
    courses = CertificationCourse.objects.select_for_update()
    if candidate_id is not None:
        return courses.filter(candidate_id=candidate_id).first()
    return courses.get(id=course_id)


def _end(course, reason):
    """Under the course's row lock: end it now for `reason`, once; its answers are kept."""
    if course.ended_at is None:
        course.ended_at = timezone.now()
        course.end_reason = reason
        course.browser_key = ""
        course.save(update_fields=["ended_at", "end_reason", "browser_key"])
    return course


@transaction.atomic
def end_course(course_id, reason):
    """End the test now for `reason` (a CertificationCourse.EndReason); its answers are kept. Safe to call twice:
    a test already ended keeps its first end."""
    return _end(_lock(course_id), reason)


# --- Serving ----------------------------------------------------------------------------------------------


def _unanswered(course):
    return course.questions.filter(answered_at__isnull=True, neutralised=False).select_related("challenge").first()


def _current_question(course):
    """Under the course's row lock: the question served and not answered yet, else the engine's next one, stored
    before it is shown; None once the test is over (then ended, completed)."""
    return _unanswered(course) or _serve_next(course)


def _without(bank, challenge_ids):
    """The bank without some challenges (those of neutralised questions, never asked again)."""
    challenges = [c for found in bank.challenges_of.values() for c in found if c.id not in challenge_ids]
    return Bank(bank.skills.values(), challenges)


def _serve_next(course):
    rows = list(course.questions.values_list("number", "challenge_id", "challenge__skill_id", "result", "neutralised"))
    answers = [
        AnswerInfo(challenge_id=challenge_id, skill_id=skill_id, correct=result == CertificationQuestion.Result.OK)
        for _number, challenge_id, skill_id, result, neutralised in rows
        if not neutralised
    ]
    chosen = None
    if len(answers) < QUESTIONS:
        bank = current_bank()
        neutralised = {challenge_id for _n, challenge_id, _s, _r, neutralised in rows if neutralised}
        if neutralised:
            bank = _without(bank, neutralised)
        chosen = certification.next_challenge(bank, answers, course.seed, max_level=max_reachable_level())
    if chosen is None:
        _end(course, CertificationCourse.EndReason.COMPLETED)
        return None
    number = max((row[0] for row in rows), default=0) + 1
    return CertificationQuestion.objects.create(course=course, number=number, challenge_id=chosen.id)


# --- Answering and reporting a problem --------------------------------------------------------------------


@transaction.atomic
def record_answer(candidate_id, browser_key, number, values, *, skipped=False):
    """Save the answer to the current question (`values`: the posted values; « Je passe »: `skipped`, a wrong
    answer), then serve the next question or end the test. None when saved, else the French reason it was not
    (the test ended or timed out, another browser's test, not the question shown)."""
    course = _lock(candidate_id=candidate_id)
    if course is None:
        return NOT_STARTED
    refusal = _refusal(course, browser_key)
    if refusal:
        return refusal
    question = _unanswered(course)
    if question is None or question.number != number:
        return NOT_CURRENT
    if skipped:
        result, stored = CertificationQuestion.Result.SKIPPED, ""
    else:
        challenge = question.challenge
        given = list(values) if challenge.type == Challenge.Type.MULTIPLE else (values[0] if values else "")
        correct = check_answer(challenge, given)
        result = CertificationQuestion.Result.OK if correct else CertificationQuestion.Result.KO
        stored = (given if isinstance(given, str) else ",".join(given))[:ANSWER_MAX_LENGTH]
    now = timezone.now()
    question.answer_value, question.result, question.answered_at = stored, result, now
    question.save(update_fields=["answer_value", "result", "answered_at"])
    course.answered_count += 1
    course.last_answered_at = now
    course.save(update_fields=["answered_count", "last_answered_at"])
    # The next question is chosen, or the test completed, under the same lock: the page that follows only reads.
    _current_question(course)
    return None


@transaction.atomic
def report_problem(candidate_id, browser_key, number, message):
    """A problem reported by the candidate on the current question: one pending alert for the invigilator (the
    candidate may keep answering). None when reported, else the French reason it was not."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        return MESSAGE_TOO_LONG
    course = _lock(candidate_id=candidate_id)
    if course is None:
        return NOT_STARTED
    refusal = _refusal(course, browser_key)
    if refusal:
        return refusal
    question = _unanswered(course)
    if question is None or question.number != number:
        return "Ce signalement ne correspond pas à la question affichée : signalez le problème depuis la question."
    if not question.alerts.pending().exists():
        CertificationAlert.objects.create(
            course=course, question=question, kind=CertificationAlert.Kind.CHALLENGE_PROBLEM, message=message
        )
    return None


def has_pending_problem(question):
    return question.alerts.pending().exists()


# --- The invigilator's actions ----------------------------------------------------------------------------


def _course_of(session, candidate_id):
    """Under its row lock, the course of a candidate of `session`: an invigilator acts on their session only."""
    course = (
        CertificationCourse.objects.select_for_update()
        .select_related("candidate")
        .filter(candidate_id=candidate_id, candidate__session=session)
        .first()
    )
    if course is None:
        if not Candidate.objects.filter(id=candidate_id, session=session).exists():
            raise CourseError("Ce candidat n'est pas inscrit à cette session.")
        raise CourseError("Ce candidat n'a pas commencé le test.")
    return course


@transaction.atomic
def authorise_resume(session, candidate_id):
    """The resume asked from another browser authorised: the key is emptied, the next browser takes the test."""
    course = _course_of(session, candidate_id)
    if course.is_ended:
        raise CourseError(f"Le test de {course.candidate} est terminé : il n'y a rien à reprendre.")
    pending = course.alerts.pending().filter(kind=CertificationAlert.Kind.RESUME)
    if not pending.exists():
        raise CourseError(f"{course.candidate} n'a pas demandé de reprise du test.")
    pending.update(handled_at=timezone.now(), outcome=CertificationAlert.Outcome.ACCEPTED)
    course.browser_key = ""
    course.resume_requested_at = None
    course.save(update_fields=["browser_key", "resume_requested_at"])
    return course


@transaction.atomic
def end_by_invigilator(session, candidate_id):
    course = _course_of(session, candidate_id)
    if course.is_ended:
        raise CourseError(f"Le test de {course.candidate} est déjà terminé.")
    return _end(course, CertificationCourse.EndReason.ENDED_BY_INVIGILATOR)


@transaction.atomic
def handle_problem(session, alert_id, *, accept, category=""):
    """A problem reported on a question accepted (with its category E1 … E12: the question is neutralised, it
    does not count and another is served) or refused. Returns the alert."""
    if accept and category not in InChallengeProblem.values:
        raise CourseError(CATEGORY_NEEDED)
    found = (
        CertificationAlert.objects.filter(
            id=alert_id, kind=CertificationAlert.Kind.CHALLENGE_PROBLEM, course__candidate__session=session
        )
        .values_list("course__candidate_id", flat=True)
        .first()
    )
    if found is None:
        raise CourseError("Ce signalement ne concerne aucun candidat de cette session.")
    course = _course_of(session, found)
    alert = course.alerts.select_related("question").get(id=alert_id)
    if alert.handled_at is not None:
        raise CourseError("Ce signalement a déjà été traité.")
    alert.handled_at = timezone.now()
    alert.outcome = CertificationAlert.Outcome.ACCEPTED if accept else CertificationAlert.Outcome.REFUSED
    alert.category = category if accept else ""
    alert.save(update_fields=["handled_at", "outcome", "category"])
    question = alert.question
    if accept and not question.neutralised:
        question.neutralised = True
        question.save(update_fields=["neutralised"])
        if question.is_answered:  # it no longer counts: the candidate gets one more question
            course.answered_count -= 1
            course.save(update_fields=["answered_count"])
        if not course.is_ended:
            _current_question(course)
    alert.course = course
    return alert
