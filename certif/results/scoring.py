"""A finalised session scored: each candidate who took the test gets a `CertificationResult`.

The answers that count are the questions answered and not neutralised, less the questions that an issue
report written at finalisation neutralises, as Pix resolves them automatically when it scores a session
(1024pix/pix, `CertificationIssueReportResolutionStrategies`):
- E4 (site unavailable), E5 (site blocked), E9 (software not working), E11 ("Oups" page) and E12
  (accessibility): neutralised without checking the question;
- E1 (image) and E2 (simulator or application): only when the question has an illustration (ours have no
  embedded application, so an illustration is what both can mean);
- E3 (file to download): only when the question has an attachment;
- E8 (extra time exceeded) and E10 (forced out of a focus question): Pix neutralises them only for timed or
  focus questions; ours are neither, so these reports never neutralise.
As in Pix, a question is neutralised only when its answer is wrong or skipped: a right answer is kept.

A suspected fraud (C6) does not change the score: the result is kept and, when first computed, its comment for
the school says so; the school admin may rewrite that comment before publishing.

Scoring runs in one transaction under the session's row lock, and again as often as the admin wants until the
results are published: each run writes the same results (the comments already written are kept).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from certif.course.models import CertificationQuestion
from certif.finalisation.models import InChallengeProblem, IssueCategory
from certif.sessions.models import AbortReason, Candidate, Session
from crcn import certification
from crcn.bank import load_bank
from crcn.engine import AnswerInfo
from crcn.levels import max_reachable_level

from . import codes
from .models import CertificationResult

NEUTRALISED_WITHOUT_CHECKING = {
    InChallengeProblem.WEBSITE_UNAVAILABLE,
    InChallengeProblem.WEBSITE_BLOCKED,
    InChallengeProblem.SOFTWARE_NOT_WORKING,
    InChallengeProblem.SKIP_ON_OOPS,
    InChallengeProblem.ACCESSIBILITY_ISSUE,
}
NEUTRALISED_IF_ILLUSTRATION = {InChallengeProblem.IMAGE_NOT_DISPLAYING, InChallengeProblem.EMBED_NOT_WORKING}
NEUTRALISED_IF_ATTACHMENT = {InChallengeProblem.FILE_NOT_OPENING}

ABORT_REASONS = {AbortReason.CANDIDATE: certification.CANDIDATE, AbortReason.TECHNICAL: certification.TECHNICAL}
FRAUD_COMMENT = (
    "Une suspicion de fraude a été signalée lors de la finalisation de la session : ce résultat peut être revu."
)
NOT_SCORABLE = "Les résultats se calculent une fois la session finalisée, et plus après leur publication."
NOT_PUBLISHABLE = "Calculez les résultats de la session avant de les publier."


class ResultsRefused(Exception):
    """Scoring or publishing refused, with the French reason."""


def neutralised_by_report(problem, question):
    """Whether an in-challenge report of `problem` (an E code) neutralises `question` (see the module)."""
    if question.result == CertificationQuestion.Result.OK:
        return False
    if problem in NEUTRALISED_WITHOUT_CHECKING:
        return True
    if problem in NEUTRALISED_IF_ILLUSTRATION:
        return bool(question.challenge.illustration)
    if problem in NEUTRALISED_IF_ATTACHMENT:
        return bool(question.challenge.attachment)
    return False


def answers_of(candidate):
    """The candidate's answers that count, as the engine's `AnswerInfo` (a skipped question is wrong)."""
    problems = {}
    for report in candidate.issue_reports.all():
        if report.category == IssueCategory.IN_CHALLENGE and report.question_number:
            problems.setdefault(report.question_number, []).append(report.subcategory)
    answers = []
    for question in candidate.course.questions.all():
        if question.answered_at is None or question.neutralised:
            continue
        if any(neutralised_by_report(problem, question) for problem in problems.get(question.number, ())):
            continue
        answers.append(
            AnswerInfo(
                challenge_id=question.challenge_id,
                skill_id=question.challenge.skill_id,
                correct=question.result == CertificationQuestion.Result.OK,
            )
        )
    return answers


def _candidates_who_sat(session):
    questions = CertificationQuestion.objects.select_related("challenge").order_by("number")
    return (
        Candidate.objects.filter(session=session, course__isnull=False)
        .select_related("course")
        .prefetch_related(Prefetch("course__questions", queryset=questions), "issue_reports")
    )


def _suspected_fraud(candidate):
    return any(report.category == IssueCategory.FRAUD for report in candidate.issue_reports.all())


@transaction.atomic
def score_session(session_id):
    """Score the finalised session `session_id` (or score it again before publication); the session goes "in
    process". Returns the number of results. Raises ResultsRefused otherwise."""
    session = Session.objects.select_for_update().get(id=session_id)
    if session.status not in (Session.Status.FINALISED, Session.Status.IN_PROCESS):
        raise ResultsRefused(NOT_SCORABLE)
    bank, max_level = load_bank(), max_reachable_level()
    candidates = list(_candidates_who_sat(session))
    existing = {
        result.candidate_id: result for result in CertificationResult.objects.filter(candidate__session=session)
    }
    now = timezone.now()
    for candidate in candidates:
        scored = certification.score(
            bank,
            answers_of(candidate),
            max_level=max_level,
            abort_reason=ABORT_REASONS.get(candidate.abort_reason),
        )
        result = existing.pop(candidate.id, None) or CertificationResult(
            candidate=candidate, comment_for_organisation=FRAUD_COMMENT if _suspected_fraud(candidate) else ""
        )
        result.status = scored.status
        result.answered = scored.answered
        result.capacity = scored.capacity
        result.pix_score = scored.pix_score
        result.level = scored.level
        result.level_label = scored.label
        result.competence_levels = dict(scored.competence_levels)
        result.computed_at = now
        result.save()
    # A result left from an earlier run whose candidate no longer has a test (none today) is not kept.
    CertificationResult.objects.filter(id__in=[result.id for result in existing.values()]).delete()
    session.status = Session.Status.IN_PROCESS
    session.save(update_fields=["status", "updated_at"])
    return len(candidates)


@transaction.atomic
def publish_session(session_id):
    """Publish a scored session's results: the pupils see them from now on, and they no longer change; each
    validated result gets its verification code in the same transaction."""
    session = Session.objects.select_for_update().get(id=session_id)
    if session.status != Session.Status.IN_PROCESS:
        raise ResultsRefused(NOT_PUBLISHABLE)
    session.status = Session.Status.PROCESSED
    session.published_at = timezone.now()
    session.save(update_fields=["status", "published_at", "updated_at"])
    codes.give_missing_codes(CertificationResult.objects.filter(candidate__session=session))
    return session
