"""The pupil's journey: enter a code, confirm, take the adaptive test, see and send the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crcn import scoring
from crcn.answers import proposal_seed, shown_proposals
from crcn.levels import max_reachable_level
from crcn.models import Competence, Tutorial
from documents.charts import bar_length

from .. import throttle
from ..models import Campaign, CompetenceResult, Participation
from ..services import (
    JoinError,
    TamperedAnswer,
    check_can_join,
    normalize_code,
    pupils_participation,
    record_answer,
    serve,
    share,
    start_or_resume,
)


def _own_participation(request, participation_id):
    pupil = getattr(request.user, "pupil", None)
    if pupil is None:
        raise Http404
    return get_object_or_404(
        Participation.objects.select_related("campaign__school", "current_challenge__skill__tube__competence"),
        id=participation_id,
        pupil=pupil,
    )


def _throttled(request, refusal):
    context = {"page_title": "Trop d'essais", "refusal": refusal}
    return render(request, "account/too_many_tries.html", context, status=429)


@login_required
def enter_code(request):
    error = ""
    code = ""
    if request.method == "POST":
        attempt = throttle.attempt(request)
        if refusal := attempt.refusal():
            return _throttled(request, refusal)
        code = normalize_code(request.POST.get("code"))
        campaign = Campaign.objects.filter(code=code).first() if code else None
        if campaign is None:
            attempt.failed()
            error = (
                "Ce code ne correspond à aucun parcours. "
                "Vérifiez-le : 6 lettres puis 3 chiffres, par exemple QRTWHB274."
                if code
                else "Saisissez le code donné par votre professeur."
            )
        else:
            try:
                check_can_join(campaign, request.user)
            except JoinError as join_error:
                error = join_error.message
            else:
                return redirect("orga:campaign_confirm", code=campaign.code)
    return render(
        request,
        "orga/journey/enter_code.html",
        {"error": error, "code": code, "page_title": "J'ai un code"},
        status=400 if error else 200,
    )


@login_required
def confirm(request, code):
    # Throttled before the look-up, and an unknown code counts as a wrong one: the address bar is no way around
    # the code form to learn which codes exist.
    attempt = throttle.attempt(request)
    if refusal := attempt.refusal():
        return _throttled(request, refusal)
    campaign = Campaign.objects.select_related("school").filter(code=normalize_code(code)).first()
    if campaign is None:
        attempt.failed()
        raise Http404
    try:
        pupil = check_can_join(campaign, request.user)
    except JoinError as join_error:
        return render(
            request,
            "orga/journey/enter_code.html",
            {"error": join_error.message, "code": campaign.code, "page_title": "J'ai un code"},
            status=403,
        )
    if request.method == "POST":
        try:
            participation = start_or_resume(campaign, pupil)
        except JoinError as join_error:
            messages.error(request, join_error.message)
            return redirect("orga:my_profile")
        return redirect("orga:take", participation_id=participation.id)
    current = campaign.participations.current().filter(pupil=pupil).first()
    return render(
        request,
        "orga/journey/confirm.html",
        {
            "campaign": campaign,
            "competences": campaign.competences.order_by("code"),
            "current": current,
            "page_title": campaign.name,
        },
    )


@login_required
def take(request, participation_id):
    participation = pupils_participation(participation_id, request.user)
    if participation is None:
        raise Http404
    served = serve(participation)
    challenge, codes, answered = served.challenge, served.competence_codes, served.answered
    if challenge is None:
        return redirect("orga:results", participation_id=participation.id)
    competence = {"code": challenge.competence_code, "title": challenge.competence_title}
    return render(
        request,
        "orga/journey/challenge.html",
        {
            "participation": participation,
            "challenge": challenge,
            # Each pupil sees the proposals in an order of their own, the same at every reload.
            "proposals": shown_proposals(
                proposal_seed(f"participation-{participation.id}", challenge.code), challenge.proposals
            ),
            "competence": competence,
            "competence_rank": codes.index(challenge.competence_code) + 1,
            "competence_count": len(codes),
            "question_number": answered + 1,
            "progress_percent": int(100 * codes.index(challenge.competence_code) / len(codes)),
            "page_title": f"Question {answered + 1}",
        },
    )


@require_POST
@login_required
def answer(request, participation_id):
    challenge_id = request.POST.get("challenge", "")
    if not challenge_id.isdigit():
        return HttpResponseBadRequest("Réponse invalide.")
    skipped = "passer" in request.POST
    value = request.POST.getlist("reponse") if request.POST.get("type") == "qcm" else request.POST.get("reponse", "")
    if not skipped and value in ("", []):
        messages.warning(request, "Choisissez ou saisissez une réponse, ou cliquez sur « Je passe ».")
        return redirect("orga:take", participation_id=participation_id)
    try:
        record_answer(participation_id, request.user, int(challenge_id), value, skipped=skipped)
    except TamperedAnswer:
        return HttpResponseBadRequest("Cette réponse ne correspond pas à la question posée.")
    return redirect("orga:take", participation_id=participation_id)


def _recommended_tutorials(results, max_level, limit_per_competence=2, competences=4):
    """Tutorials for the weakest competences (lowest level first), a couple each: a short, useful list."""
    weak = sorted(
        (r for r in results if r.level < max_level),
        key=lambda r: (r.level, r.competence.code),
    )[:competences]
    tutorials = (
        Tutorial.objects.filter(tube__competence__in=[r.competence_id for r in weak])
        .select_related("tube__competence")
        .order_by("tube__competence__code", "duration_minutes")
    )
    picked, per_competence = [], {}
    for tutorial in tutorials:
        code = tutorial.tube.competence.code
        if per_competence.get(code, 0) < limit_per_competence:
            picked.append(tutorial)
            per_competence[code] = per_competence.get(code, 0) + 1
    return picked


def _profile_rows(competences, results, max_level):
    """One row per competence with its result (or None) and the width of its bar: a percent of the pix open,
    truncated (as these pages always did: the Analyse tab rounds)."""
    max_pix = scoring.max_pix_per_competence(max_level)
    return [
        {"competence": c, "result": r, "percent": int(bar_length(r.pix if r else 0, max_pix, 100))}
        for c, r in zip(competences, results, strict=True)
    ]


@login_required
def results(request, participation_id):
    participation = _own_participation(request, participation_id)
    if participation.status == Participation.Status.STARTED:
        return redirect("orga:take", participation_id=participation.id)
    rows = list(participation.competence_results.select_related("competence"))
    max_level = max_reachable_level()
    return render(
        request,
        "orga/journey/results.html",
        {
            "participation": participation,
            "rows": _profile_rows([r.competence for r in rows], rows, max_level),
            "max_pix": scoring.max_pix_per_competence(max_level),
            "tutorials": _recommended_tutorials(rows, max_level),
            "page_title": f"Résultats — {participation.campaign.name}",
        },
    )


@require_POST
@login_required
def share_results(request, participation_id):
    participation = _own_participation(request, participation_id)
    share(participation)
    messages.success(request, "Vos résultats ont été envoyés à votre établissement.")
    return redirect("orga:results", participation_id=participation.id)


@login_required
def my_profile(request):
    pupil = getattr(request.user, "pupil", None)
    if pupil is None:  # the wrong role, not a missing page
        raise PermissionDenied("Le profil de compétences est la page des élèves : votre compte n'en a pas.")
    latest = {}
    for result in (
        CompetenceResult.objects.filter(participation__pupil=pupil, participation__status=Participation.Status.SHARED)
        .select_related("competence", "participation__campaign")
        .order_by("competence__code", "-participation__shared_at")
    ):
        latest.setdefault(result.competence.code, result)
    competences = Competence.objects.in_framework_order()
    rows = [latest.get(c.code) for c in competences]
    max_level = max_reachable_level()
    participations = pupil.participations.current().select_related("campaign").order_by("-created_at")
    return render(
        request,
        "orga/journey/profile.html",
        {
            "pupil": pupil,
            "profile": _profile_rows(competences, rows, max_level),
            "max_pix": scoring.max_pix_per_competence(max_level),
            "total_pix": sum(r.pix for r in rows if r),
            "max_total_pix": scoring.max_total_pix(max_level),
            "certifiable": scoring.is_certifiable([r.level for r in rows if r]),
            "participations": participations,
            "page_title": "Mon profil",
        },
    )
