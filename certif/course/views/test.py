"""The candidate's test: the current question with the time left, an answer at a time, a problem reported, the
end screen. Only the browser holding the test answers; another one waits for the invigilator's authorisation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from crcn.answers import proposal_seed, shown_proposals

from .. import services
from ..access import browser_key, own_candidacy, pupil_required
from ..services import Access


def _question_number(request):
    number = (request.POST.get("question") or "").strip()
    return int(number) if number.isascii() and number.isdigit() and len(number) <= 4 else None


def _go(request, name, candidate_id):
    """A redirect; for htmx's polling, a whole-page navigation."""
    if request.htmx:
        return HttpResponseClientRedirect(reverse(name, kwargs={"candidate_id": candidate_id}))
    return redirect(name, candidate_id=candidate_id)


@pupil_required
def test(request, pupil, candidate_id):
    candidate = own_candidacy(pupil, candidate_id)
    opened = services.open_course(candidate.id, browser_key(request))
    if opened.access == Access.NOT_PRESENT:
        return _go(request, "certif:arrival_waiting", candidate.id)
    if opened.access == Access.ENDED:
        return _go(request, "certif:test_end", candidate.id)
    if opened.access == Access.RESUME_NEEDED:
        context = {"candidate": candidate, "page_title": "Reprise du test"}
        if request.htmx:
            return render(request, "certif/course/_resume.html", context)
        return render(request, "certif/course/resume.html", context)
    if request.htmx:  # the resume page's polling: the invigilator authorised, this browser now holds the test
        return HttpResponseClientRedirect(reverse("certif:test", kwargs={"candidate_id": candidate.id}))
    course, question = opened.course, opened.question
    challenge = question.challenge
    position = course.answered_count + 1
    seconds_left = course.seconds_left()
    return render(
        request,
        "certif/course/question.html",
        {
            "candidate": candidate,
            "course": course,
            "question": question,
            "challenge": challenge,
            # Each candidate sees the proposals in an order of their own, the same at every reload.
            "proposals": shown_proposals(
                proposal_seed(f"certification-{course.id}", challenge.code), challenge.proposals
            ),
            "position": position,
            "total": services.QUESTIONS,
            "seconds_left": seconds_left,
            "time_left": services.time_left_text(seconds_left),
            "problem_reported": services.has_pending_problem(question),
            "message_max_length": services.MESSAGE_MAX_LENGTH,
            "page_title": f"Question {position} sur {services.QUESTIONS}",
        },
    )


@require_POST
@pupil_required
def answer(request, pupil, candidate_id):
    candidate = own_candidacy(pupil, candidate_id)
    number = _question_number(request)
    skipped = "passer" in request.POST
    values = [value[: services.ANSWER_MAX_LENGTH] for value in request.POST.getlist("reponse") if value.strip()]
    if number is None:
        messages.error(request, services.NOT_CURRENT)
    elif not skipped and not values:
        messages.warning(request, "Choisissez ou saisissez une réponse, ou cliquez sur « Je passe ».")
    else:
        refusal = services.record_answer(candidate.id, browser_key(request), number, values, skipped=skipped)
        if refusal:
            messages.error(request, refusal)
    return redirect("certif:test", candidate_id=candidate.id)


@require_POST
@pupil_required
def report(request, pupil, candidate_id):
    candidate = own_candidacy(pupil, candidate_id)
    number = _question_number(request)
    if number is None:
        refusal = services.NOT_CURRENT
    else:
        refusal = services.report_problem(candidate.id, browser_key(request), number, request.POST.get("message"))
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(
            request,
            "Votre surveillant a été prévenu du problème sur cette question. Il va venir vous voir ; "
            "en attendant, vous pouvez continuer à répondre.",
        )
    return redirect("certif:test", candidate_id=candidate.id)


@pupil_required
def end(request, pupil, candidate_id):
    candidate = own_candidacy(pupil, candidate_id)
    course = getattr(candidate, "course", None)
    if course is None or not course.is_ended:
        return redirect("certif:test", candidate_id=candidate.id)
    return render(
        request, "certif/course/end.html", {"candidate": candidate, "course": course, "page_title": "Test terminé"}
    )
