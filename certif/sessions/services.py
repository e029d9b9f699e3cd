"""Creating and changing sessions: their codes drawn unique, their invigilators, the surveillance plan."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from . import codes, planning
from .models import Invigilator, Session

DRAWS = 50  # codes drawn before giving up: with 19⁴·8² access codes, a collision is already rare


class CodeShortage(Exception):
    """No free code after DRAWS draws: the space is nearly full, a configuration problem to report."""


def _free(draw, taken):
    for _ in range(DRAWS):
        value = draw()
        if not taken(value):
            return value
    raise CodeShortage("Aucun code libre n'a pu être tiré : signalez-le à l'assistance.")


def new_access_code():
    return _free(codes.access_code, lambda code: Session.objects.planned().filter(access_code=code).exists())


def new_number():
    return _free(codes.session_number, lambda number: Session.objects.filter(number=number).exists())


def set_invigilators(session, people):
    """Replace the session's invigilators with `people`: [(name, user or None)]."""
    session.invigilators.all().delete()
    Invigilator.objects.bulk_create(Invigilator(session=session, name=name, user=user) for name, user in people)


def create_session(*, school, created_by, invigilators, **fields):
    """A new session with a fresh number, access code and password. Two admins creating sessions at the same
    instant may draw the same code: the database refuses the second, which draws again."""
    for _ in range(3):
        session = Session(
            school=school,
            created_by=created_by,
            number=new_number(),
            access_code=new_access_code(),
            invigilator_password=codes.invigilator_password(),
            **fields,
        )
        try:
            with transaction.atomic():
                session.save()
                set_invigilators(session, invigilators)
            return session
        except IntegrityError:
            continue
    raise CodeShortage("La session n'a pas pu recevoir de code unique : réessayez.")


@transaction.atomic
def update_session(session, *, invigilators, **fields):
    for name, value in fields.items():
        setattr(session, name, value)
    session.save()
    set_invigilators(session, invigilators)
    return session


def deletion_refusal(session):
    """Why the session may not be deleted, in French, or "" (one query)."""
    if session.candidates.filter(started_at__isnull=False).exists():
        return "Des candidats ont commencé leur test : la session ne peut plus être supprimée."
    if not session.is_open:
        return "Une session finalisée ne peut pas être supprimée."
    return ""


# --- The surveillance plan ------------------------------------------------------------------------


def with_longest_extra_time(sessions):
    return sessions.annotate(longest_extra_time=Max("candidates__extra_time_percentage"))


def surveillance_plan(school):
    """The school's planned sessions and [planning.Duty] per invigilator, in two queries.

    A person is their account when they have one, else their name folded; a typed name that is the name of an
    invigilator with an account in the same plan is that person."""
    sessions = list(
        with_longest_extra_time(Session.objects.filter(school=school).planned())
        .prefetch_related("invigilators__user")
        .in_calendar_order()
    )
    account_of_name = {
        planning.person_key(invigilator.name): f"compte-{invigilator.user_id}"
        for session in sessions
        for invigilator in session.invigilators.all()
        if invigilator.user_id
    }

    def key(invigilator):
        if invigilator.user_id:
            return f"compte-{invigilator.user_id}"
        folded = planning.person_key(invigilator.name)
        return account_of_name.get(folded, f"nom-{folded}")

    rows = [
        (
            session.id,
            session.starts_at,
            session.ends_at(session.longest_extra_time or 0),
            f"Salle {session.room}",
            [(key(invigilator), invigilator.name) for invigilator in session.invigilators.all()],
        )
        for session in sessions
    ]
    return sessions, planning.plan(rows)
