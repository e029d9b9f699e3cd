"""The invigilator's space: signed in with the session's number and password (no account), the live list of
candidates, presence confirmed or cancelled."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from certif.course import services as course_services
from certif.course.models import CertificationAlert, InChallengeProblem
from certif.sessions.models import Candidate, Session

from .. import services, throttle
from .arrival import throttled

SESSION_KEY = "certif_invigilated_session_id"


def invigilator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        session = Session.objects.filter(id=request.session.get(SESSION_KEY), status=Session.Status.CREATED).first()
        if session is None:
            return redirect("certif:invigilator_sign_in")
        return view(request, session, *args, **kwargs)

    return wrapper


def _is_number(text):
    # ASCII only: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and len(text) <= 9


def sign_in(request):
    error = ""
    number = ""
    if request.method == "POST":
        number = "".join((request.POST.get("number") or "").split())[:12]
        attempt = throttle.invigilator_attempt(request, number if _is_number(number) else "")
        if refusal := attempt.refusal():
            return throttled(request, refusal)
        password = services.normalize_typed_code(request.POST.get("password"))
        session = (
            Session.objects.filter(number=int(number), status=Session.Status.CREATED).first()
            if _is_number(number)
            else None
        )
        if session is not None and password and password == session.invigilator_password:
            request.session.cycle_key()
            request.session[SESSION_KEY] = session.id
            return redirect("certif:invigilation")
        attempt.failed()
        error = "Ce numéro de session et ce mot de passe ne correspondent à aucune session ouverte."
    return render(
        request,
        "certif/invigilation/sign_in.html",
        {"error": error, "number": number, "page_title": "Espace surveillant"},
        status=400 if error else 200,
    )


@invigilator_required
def live(request, session):
    candidates = services.live_list(session)
    context = {
        "session": session,
        "candidates": candidates,
        "waiting_count": sum(1 for c in candidates if c.arrival == services.Arrival.WAITING),
        "attention_count": sum(1 for c in candidates if c.needs_attention),
        "total": course_services.QUESTIONS,
        "page_title": f"Surveillance de la session n° {session.number}",
    }
    if request.headers.get("HX-Request"):
        return render(request, "certif/invigilation/_live.html", context)
    return render(request, "certif/invigilation/live.html", context)


def _presence(action):
    @require_POST
    @invigilator_required
    def view(request, session, candidate_id):
        try:
            candidate = action(session, candidate_id)
        except services.PresenceError as error:
            messages.error(request, error.message)
        else:
            done = "confirmée" if candidate.presence_confirmed_at else "annulée"
            messages.success(request, f"Présence de {candidate} {done}.")
        return redirect("certif:invigilation")

    return view


confirm_presence = _presence(services.confirm_presence)
cancel_presence = _presence(services.cancel_presence)


@require_POST
@invigilator_required
def authorise_resume(request, session, candidate_id):
    try:
        course = course_services.authorise_resume(session, candidate_id)
    except course_services.CourseError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Reprise autorisée pour {course.candidate} : le test continue sur le prochain poste où il l'ouvre.",
        )
    return redirect("certif:invigilation")


@require_http_methods(["GET", "POST"])
@invigilator_required
def end_test(request, session, candidate_id):
    """GET: the confirmation step; POST: the test ended now, its answers kept."""
    if request.method == "POST":
        try:
            course = course_services.end_by_invigilator(session, candidate_id)
        except course_services.CourseError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Le test de {course.candidate} est terminé.")
        return redirect("certif:invigilation")
    candidate = Candidate.objects.select_related("course").filter(id=candidate_id, session=session).first()
    if candidate is None:
        raise Http404
    return render(
        request,
        "certif/invigilation/end_test.html",
        {
            "session": session,
            "candidate": candidate,
            "course": getattr(candidate, "course", None),
            "total": course_services.QUESTIONS,
            "page_title": f"Terminer le test de {candidate}",
        },
    )


@require_http_methods(["GET", "POST"])
@invigilator_required
def handle_problem(request, session, alert_id):
    """GET: the problem, its categories and the two decisions, on a page of its own (the live list, refreshed every
    5 s, would reset a choice half made); POST: accepted with a category, or refused."""
    if request.method == "GET":
        alert = get_object_or_404(
            CertificationAlert.objects.select_related("question", "course__candidate"),
            id=alert_id,
            kind=CertificationAlert.Kind.CHALLENGE_PROBLEM,
            course__candidate__session=session,
        )
        if alert.handled_at is not None:
            messages.info(request, "Ce signalement a déjà été traité.")
            return redirect("certif:invigilation")
        return render(
            request,
            "certif/invigilation/problem.html",
            {
                "session": session,
                "alert": alert,
                "candidate": alert.course.candidate,
                "categories": InChallengeProblem.choices,
                "page_title": f"Problème signalé par {alert.course.candidate}",
            },
        )
    decision = request.POST.get("decision")
    if decision not in ("accepter", "refuser"):
        messages.error(request, "Choisissez d'accepter ou de refuser le signalement.")
        return redirect("certif:invigilation")
    category = request.POST.get("categorie", "")
    if decision == "accepter" and category not in InChallengeProblem.values:
        messages.error(request, course_services.CATEGORY_NEEDED)
        return redirect("certif:handle_problem", alert_id=alert_id)
    try:
        alert = course_services.handle_problem(session, alert_id, accept=decision == "accepter", category=category)
    except course_services.CourseError as error:
        messages.error(request, error.message)
        return redirect("certif:invigilation")
    candidate = alert.course.candidate
    if decision == "accepter":
        messages.success(
            request,
            f"Signalement accepté : la question {alert.question.number} de {candidate} est neutralisée, "
            "une autre question lui est posée.",
        )
    else:
        messages.success(request, f"Signalement de {candidate} refusé : la question reste comptée.")
    return redirect("certif:invigilation")


@require_POST
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("certif:invigilator_sign_in")
