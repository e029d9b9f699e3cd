"""A session's finalisation by a school admin: what each candidate did, the issue reports, the comment and flags.

Issue reports are written one by one while the session is open (drafts until it is finalised). The finalisation
itself is one transaction under the session's row lock: every rule is checked first, then the running tests are
ended, the candidates and the session saved; a refusal writes nothing.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from certif.course.models import CertificationCourse
from certif.course.services import end_course
from certif.documents.sheets import name_order
from certif.sessions.models import AbortReason, Candidate, Session
from crcn.certification import QUESTIONS

from .models import InChallengeProblem, IssueCategory, IssueReport

COMMENT_MAX = 500
DESCRIPTION_MAX = 500
QUESTION_MAX = 500
ALREADY_FINALISED = "Cette session est déjà finalisée : elle ne se modifie plus."
COMPLETED = CertificationCourse.EndReason.COMPLETED
# Pix asks a description for these categories; fraud (C6) and a problem on a question need none.
DESCRIPTION_REQUIRED = {
    IssueCategory.NAME_OR_BIRTHDATE,
    IssueCategory.EXTRA_TIME_PERCENTAGE,
    IssueCategory.SIGNATURE_ISSUE,
    IssueCategory.NON_BLOCKING_TECHNICAL_ISSUE,
    IssueCategory.NON_BLOCKING_CANDIDATE_ISSUE,
}


class FinalisationRefused(Exception):
    """The finalisation (or a change to its drafts) is refused: `messages` says why, in French."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def not_yet_refusal(session, today=None):
    """Why the session cannot be finalised yet (its date has not come), else ""."""
    today = today or timezone.localdate()
    if session.date > today:
        return f"La session a lieu le {session.date:%d/%m/%Y} : elle ne peut être finalisée qu'à partir de ce jour."
    return ""


def may_finalise(session, today=None):
    return session.is_open and not not_yet_refusal(session, today)


@dataclass
class Row:
    """A candidate as the finalisation shows them: absent (no course), their test still running, or ended."""

    candidate: Candidate
    course: CertificationCourse | None

    @property
    def is_absent(self):
        return self.course is None

    @property
    def is_running(self):
        return self.course is not None and not self.course.is_ended

    @property
    def is_completed(self):
        return self.course is not None and self.course.end_reason == COMPLETED

    @property
    def needs_abort_reason(self):
        """A test not completed by the candidate (a running one included: finalisation ends it) needs a reason."""
        return self.course is not None and not self.is_completed

    @property
    def answers_label(self):
        return f"{self.course.answered_count}/{QUESTIONS}" if self.course else ""

    @property
    def end_label(self):
        if self.course is None:
            return "Absent"
        if self.is_running:
            return "Test en cours : il sera clos à la finalisation"
        return self.course.get_end_reason_display()


def rows_of(session):
    """The session's candidates by name, each with their course (one query) and issue reports (one more)."""
    candidates = session.candidates.select_related("course").prefetch_related("issue_reports")
    return [Row(candidate, getattr(candidate, "course", None)) for candidate in sorted(candidates, key=name_order)]


def _candidate_rule(row, end_screen_seen, abort_reason):
    """The abort-reason rule of Pix for one candidate: the French refusal, or ""."""
    name = f"{row.candidate.display_last_name} {row.candidate.first_names}"
    if abort_reason and abort_reason not in AbortReason.values:
        return f"{name} : raison de l'abandon inconnue."
    if row.is_absent:
        if abort_reason or end_screen_seen:
            return f"{name} n'a pas commencé le test : ni écran de fin ni raison d'abandon à indiquer."
        return ""
    if row.needs_abort_reason and not abort_reason:
        return (
            f"{name} n'a pas terminé son test : indiquez la raison de l'abandon "
            "(abandon du candidat ou problème technique)."
        )
    if row.is_completed and abort_reason:
        return f"{name} a terminé son test : ne donnez pas de raison d'abandon."
    return ""


def check_comment(comment):
    if len(comment) > COMMENT_MAX:
        return f"Commentaire global : {COMMENT_MAX} caractères au plus ({len(comment)} saisis)."
    return ""


@transaction.atomic
def finalise(session_id, *, choices, comment="", has_incident=False, has_joining_issue=False, today=None):
    """Finalise the session: `choices` maps a candidate's id to (end screen seen, abort reason). Running tests end
    with ENDED_AT_FINALISATION; every rule is checked before the rest is written, and a refusal undoes it all.
    Returns the session."""
    session = Session.objects.select_for_update().get(id=session_id)
    if not session.is_open:
        raise FinalisationRefused(ALREADY_FINALISED)
    refusal = not_yet_refusal(session, today)
    if refusal:
        raise FinalisationRefused(refusal)
    comment = comment.strip()
    rows = rows_of(session)
    # The running tests end first, each under its row lock: one the candidate completed in the meantime counts
    # as completed. A refusal below rolls these ends back with the rest.
    for row in rows:
        if row.is_running:
            row.course = end_course(row.course.id, CertificationCourse.EndReason.ENDED_AT_FINALISATION)
    errors = [check_comment(comment)]
    for row in rows:
        end_screen_seen, abort_reason = choices.get(row.candidate.id, (False, ""))
        errors.append(_candidate_rule(row, end_screen_seen, abort_reason))
    errors = [error for error in errors if error]
    if errors:
        raise FinalisationRefused(errors)
    for row in rows:
        end_screen_seen, abort_reason = choices.get(row.candidate.id, (False, ""))
        row.candidate.end_screen_seen = bool(end_screen_seen) and not row.is_absent
        row.candidate.abort_reason = abort_reason
        row.candidate.save(update_fields=["end_screen_seen", "abort_reason"])
    session.examiner_global_comment = comment
    session.has_incident = has_incident
    session.has_joining_issue = has_joining_issue
    session.status = Session.Status.FINALISED
    session.finalised_at = timezone.now()
    session.save(
        update_fields=[
            "examiner_global_comment",
            "has_incident",
            "has_joining_issue",
            "status",
            "finalised_at",
            "updated_at",
        ]
    )
    return session


def issue_report_errors(category, subcategory, question_number, description):
    """Pix's rules for an issue report, as French messages by field (empty when valid). `question_number` is
    the typed text."""
    errors = {}
    if category not in IssueCategory.values:
        errors["category"] = "Choisissez la catégorie du signalement."
        return errors
    if category == IssueCategory.IN_CHALLENGE:
        if subcategory not in InChallengeProblem.values:
            errors["subcategory"] = "Problème sur une question : choisissez le problème rencontré (E1 à E12)."
        number = question_number.strip()
        if not (number.isascii() and number.isdigit() and 1 <= int(number) <= QUESTION_MAX):
            errors["question_number"] = (
                f"Problème sur une question : indiquez le numéro de la question, de 1 à {QUESTION_MAX}."
            )
    else:
        if subcategory:
            errors["subcategory"] = "Le problème sur une question (E1 à E12) ne s'indique que pour cette catégorie."
        if question_number.strip():
            errors["question_number"] = "Le numéro de question ne s'indique que pour un problème sur une question."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description : {DESCRIPTION_MAX} caractères au plus ({len(description)} saisis)."
    elif category in DESCRIPTION_REQUIRED and not description.strip():
        errors["description"] = f"Description : obligatoire pour « {IssueCategory(category).label} »."
    return errors


def _open_session_locked(candidate):
    session = Session.objects.select_for_update().get(id=candidate.session_id)
    if not session.is_open:
        raise FinalisationRefused(ALREADY_FINALISED)
    return session


@transaction.atomic
def add_issue_report(candidate, *, category, subcategory="", question_number="", description=""):
    """A draft issue report on a candidate who started the test, while the session is open."""
    _open_session_locked(candidate)
    if not CertificationCourse.objects.filter(candidate=candidate).exists():
        raise FinalisationRefused(f"{candidate} n'a pas commencé le test : aucun signalement à faire.")
    description = description.strip()
    errors = issue_report_errors(category, subcategory, question_number, description)
    if errors:
        raise FinalisationRefused([f"Signalement pour {candidate} — {error}" for error in errors.values()])
    return IssueReport.objects.create(
        candidate=candidate,
        category=category,
        subcategory=subcategory if category == IssueCategory.IN_CHALLENGE else "",
        question_number=int(question_number) if category == IssueCategory.IN_CHALLENGE else None,
        description=description,
    )


@transaction.atomic
def remove_issue_report(report):
    _open_session_locked(report.candidate)
    report.delete()
