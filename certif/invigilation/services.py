"""A candidate's arrival (access code, identity) and the invigilator's confirmation of presence."""

from django.db import transaction
from django.utils import timezone

from certif.course.models import CertificationAlert
from certif.course.services import time_left_text
from certif.sessions.codes import is_access_code
from certif.sessions.models import Candidate, Session
from orga.campaigns.services import normalize_code

from .identity import identity_matches

WRONG_CODE = "Ce code d'accès ne correspond à aucune session où vous êtes inscrit. Vérifiez-le auprès du surveillant."
WRONG_IDENTITY = (
    "Ces nom, prénom et date de naissance ne correspondent pas à votre inscription. "
    "Vérifiez-les, ou prévenez le surveillant."
)


class PresenceError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def normalize_typed_code(text):
    """An access code or password typed from paper, read as a campaign code is (spaces dropped, capitals), cut to a
    length no code reaches."""
    return normalize_code(text)[:20]


def candidacy_for(pupil, code):
    """The pupil's candidacy in the open session with this code, or None: an unknown code, a session of another
    school, a pupil not enrolled and a finalised session all look the same to the pupil."""
    code = normalize_typed_code(code)
    if pupil is None or not is_access_code(code):  # nothing odd (a NUL byte) reaches the database
        return None
    return (
        Candidate.objects.select_related("session")
        .filter(
            session__access_code=code,
            session__status=Session.Status.CREATED,
            session__school_id=pupil.school_id,
            pupil=pupil,
        )
        .first()
    )


def confirm_identity(candidate, *, last_name, first_name, birthdate):
    """True and stamped when the typed identity matches the enrolment copy."""
    if not identity_matches(
        last_name=last_name,
        first_name=first_name,
        birthdate=birthdate,
        enrolled_last_names=(candidate.last_name, candidate.preferred_last_name),
        enrolled_first_name=candidate.first_name,
        enrolled_birthdate=candidate.birthdate,
    ):
        return False
    if candidate.identity_confirmed_at is None:
        candidate.identity_confirmed_at = timezone.now()
        candidate.save(update_fields=["identity_confirmed_at"])
    return True


class Arrival:
    NOT_ARRIVED = "not_arrived"
    WAITING = "waiting"
    PRESENT = "present"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    LABELS = {
        NOT_ARRIVED: "Non arrivé",
        WAITING: "Identité confirmée, en attente",
        PRESENT: "Présent",
        IN_PROGRESS: "Test en cours",
        FINISHED: "Test terminé",
    }
    # The live list's order: attention required first, then those waiting for the invigilator, …
    RANKS = {WAITING: 1, NOT_ARRIVED: 2, PRESENT: 3, IN_PROGRESS: 4, FINISHED: 5}


def _course(candidate):
    return getattr(candidate, "course", None)  # the reverse one-to-one, read by select_related (None if none)


def arrival_of(candidate):
    course = _course(candidate)
    if course is not None:
        return Arrival.FINISHED if course.is_ended else Arrival.IN_PROGRESS
    if candidate.presence_confirmed_at:
        return Arrival.PRESENT
    if candidate.identity_confirmed_at:
        return Arrival.WAITING
    return Arrival.NOT_ARRIVED


def live_list(session):
    """The session's candidates with their state, test and pending alerts, those needing the invigilator's
    attention first (a resume asked, a problem reported), then those waiting for their presence to be confirmed,
    not arrived, present, testing, finished. Two queries, whatever the number of candidates."""
    candidates = list(session.candidates.select_related("course").order_by("last_name", "first_name", "id"))
    alerts = {}
    for alert in (
        CertificationAlert.objects.pending()
        .filter(course__candidate__session=session)
        .select_related("question")
        .order_by("created_at", "id")
    ):
        alerts.setdefault(alert.course_id, []).append(alert)
    now = timezone.now()
    for candidate in candidates:
        course = _course(candidate)
        candidate.arrival = arrival_of(candidate)
        candidate.arrival_label = Arrival.LABELS[candidate.arrival]
        pending = alerts.get(course.id, []) if course else []
        in_progress = candidate.arrival == Arrival.IN_PROGRESS
        candidate.resume_alert = next(
            (a for a in pending if a.kind == CertificationAlert.Kind.RESUME and in_progress), None
        )
        candidate.problem_alerts = [a for a in pending if a.kind == CertificationAlert.Kind.CHALLENGE_PROBLEM]
        candidate.needs_attention = bool(candidate.resume_alert or candidate.problem_alerts)
        candidate.test = course
        candidate.seconds_left = course.seconds_left(now) if course else 0
        candidate.time_left = time_left_text(candidate.seconds_left)
    candidates.sort(key=lambda c: 0 if c.needs_attention else Arrival.RANKS[c.arrival])
    return candidates


def _locked(session, candidate_id):
    candidate = Candidate.objects.select_for_update().filter(session=session, id=candidate_id).first()
    if candidate is None:
        raise PresenceError("Ce candidat n'est pas inscrit à cette session.")
    if not session.is_open:
        raise PresenceError("La session est finalisée : la présence ne peut plus changer.")
    return candidate


@transaction.atomic
def confirm_presence(session, candidate_id):
    candidate = _locked(session, candidate_id)
    if candidate.identity_confirmed_at is None:
        raise PresenceError(f"{candidate} n'a pas encore confirmé son identité.")
    if candidate.presence_confirmed_at is None:
        candidate.presence_confirmed_at = timezone.now()
        candidate.save(update_fields=["presence_confirmed_at"])
    return candidate


@transaction.atomic
def cancel_presence(session, candidate_id):
    candidate = _locked(session, candidate_id)
    if candidate.started_at is not None:
        raise PresenceError(f"{candidate} a commencé le test : sa présence ne peut plus être annulée.")
    candidate.presence_confirmed_at = None
    candidate.save(update_fields=["presence_confirmed_at"])
    return candidate
