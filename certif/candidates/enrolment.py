"""Enrolling the school's pupils in a session, changing a candidate's extra time, removing a candidate.

Only the school's active pupils are enrolled; those already in the session are skipped. Each candidate keeps a
copy of the pupil's identity as it is today. Pupils not certifiable, who never positioned, or already in another
open session are enrolled all the same (the school decides), with a warning.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from certif.sessions.models import Candidate, Session
from orga.classes.certifiability import attach_certifiability
from orga.pupils.models import Pupil

NAMES_SHOWN = 8  # a warning names this many pupils, then says how many more


class EnrolmentRefused(Exception):
    """Why nothing was enrolled or changed, in French."""


@dataclass
class Enrolment:
    enrolled: list = field(default_factory=list)  # the new Candidates
    already: int = 0  # pupils skipped: already in the session
    refused: int = 0  # ids that are not active pupils of the school
    not_certifiable: list = field(default_factory=list)  # names
    never_positioned: list = field(default_factory=list)
    elsewhere: list = field(default_factory=list)  # "NAME (session n° N)": also enrolled in another open session

    def messages(self):
        """(level, French text) to show the school admin: what was done, then the warnings."""
        count = len(self.enrolled)
        done = f"{count} candidat{_s(count)} inscrit{_s(count)}"
        if self.already:
            done += (
                f" ; {self.already} élève{_s(self.already)} déjà inscrit{_s(self.already)}, ignoré{_s(self.already)}"
            )
        if self.refused:
            done += (
                f" ; {self.refused} élève{_s(self.refused)} ignoré{_s(self.refused)} : "
                "introuvable dans l'établissement ou désactivé"
            )
        found = [("success" if count else "info", done + ".")]
        if self.not_certifiable:
            names = _names(self.not_certifiable)
            found.append(("warning", f"Pas encore certifiable (niveau 1 dans moins de 5 compétences) : {names}."))
        if self.never_positioned:
            found.append(("warning", f"Jamais positionné sur Pix : {_names(self.never_positioned)}."))
        if self.elsewhere:
            found.append(("warning", f"Déjà inscrit dans une autre session à venir : {_names(self.elsewhere)}."))
        return found


def _s(count):
    return "s" if count > 1 else ""


def _names(names):
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} et {more} autre{_s(more)}" if more > 0 else shown


def identity_of(pupil):
    """The candidate's copy of the pupil's identity, at enrolment."""
    return {
        "ine": pupil.ine,
        "last_name": pupil.last_name,
        "preferred_last_name": pupil.preferred_last_name,
        "first_name": pupil.first_name,
        "middle_name": pupil.middle_name,
        "third_name": pupil.third_name,
        "birthdate": pupil.birthdate,
        "birth_city": pupil.birth_city,
        "birth_city_code": pupil.birth_city_code,
        "birth_country_code": pupil.birth_country_code,
        "sex": pupil.sex,
        "division_name": pupil.division.name if pupil.division else "",
    }


def _check_open(session):
    if not session.is_open:
        raise EnrolmentRefused("La session est finalisée : les inscriptions ne changent plus.")


def enrol(session, pupil_ids, *, extra_time_percentage=0, enrolled_by=None):
    """Enrol these pupils (ids) in the session, in one transaction; the session's row is locked so that two
    admins enrolling at once cannot overfill it."""
    try:
        return _enrol(session, set(pupil_ids), extra_time_percentage, enrolled_by)
    except IntegrityError:
        # Another admin enrolled one of these pupils in the same instant: nothing of this enrolment was kept.
        raise EnrolmentRefused(
            "Un autre administrateur inscrit des élèves dans cette session au même moment : aucun élève n'a été "
            "inscrit, recommencez."
        ) from None


def _enrol(session, ids, extra_time_percentage, enrolled_by):
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        _check_open(session)
        pupils = attach_certifiability(
            Pupil.objects.filter(school_id=session.school_id, is_active=True, id__in=ids).select_related("division")
        )
        report = Enrolment(refused=len(ids) - len(pupils))
        enrolled_ids = set(session.candidates.filter(pupil_id__in=ids).values_list("pupil_id", flat=True))
        new = [pupil for pupil in pupils if pupil.id not in enrolled_ids]
        report.already = len(pupils) - len(new)
        free = session.capacity - session.candidates.count()
        if len(new) > free:
            raise EnrolmentRefused(
                f"La session n'a plus que {max(free, 0)} place{_s(free)} libre{_s(free)} "
                f"pour {len(new)} élèves à inscrire : aucun élève n'a été inscrit. Augmentez le nombre de places "
                "ou choisissez moins d'élèves."
            )
        report.enrolled = Candidate.objects.bulk_create(
            Candidate(
                session=session,
                pupil=pupil,
                extra_time_percentage=extra_time_percentage,
                enrolled_by=enrolled_by,
                **identity_of(pupil),
            )
            for pupil in sorted(new, key=lambda p: (p.last_name, p.first_name, p.id))
        )
        others = (
            Candidate.objects.filter(pupil__in=[p.id for p in new], session__status=Session.Status.CREATED)
            .exclude(session=session)
            .select_related("session")
            .order_by("last_name", "first_name", "session__date")
        )
        report.elsewhere = [f"{other} (session n° {other.session.number})" for other in others]
        for pupil in new:
            if not pupil.has_positioned:
                report.never_positioned.append(str(pupil))
            elif not pupil.is_certifiable:
                report.not_certifiable.append(str(pupil))
    return report


def _check_changeable(candidate):
    _check_open(candidate.session)
    if candidate.started_at is not None:
        raise EnrolmentRefused(f"{candidate} a commencé son test : son inscription ne change plus.")


@transaction.atomic
def set_extra_time(candidate, percentage):
    _check_changeable(candidate)
    candidate.extra_time_percentage = percentage
    candidate.save(update_fields=["extra_time_percentage"])


@transaction.atomic
def remove(candidate):
    _check_changeable(candidate)
    candidate.delete()
