"""A candidate's arrival (access code, identity) and the invigilator's confirmation of presence."""

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

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
    LABELS = {NOT_ARRIVED: "Non arrivé", WAITING: "Identité confirmée, en attente", PRESENT: "Présent"}


def arrival_of(candidate):
    if candidate.presence_confirmed_at:
        return Arrival.PRESENT
    if candidate.identity_confirmed_at:
        return Arrival.WAITING
    return Arrival.NOT_ARRIVED


def live_list(session):
    """The session's candidates, those waiting for the invigilator first, then not arrived, then present (one
    query)."""
    rank = Case(
        When(identity_confirmed_at__isnull=False, presence_confirmed_at__isnull=True, then=Value(0)),
        When(identity_confirmed_at__isnull=True, presence_confirmed_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    candidates = list(
        session.candidates.annotate(arrival_rank=rank).order_by("arrival_rank", "last_name", "first_name", "id")
    )
    for candidate in candidates:
        candidate.arrival = arrival_of(candidate)
        candidate.arrival_label = Arrival.LABELS[candidate.arrival]
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
