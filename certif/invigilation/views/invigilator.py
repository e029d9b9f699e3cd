"""The invigilator's space: signed in with the session's number and password (no account), the live list of
candidates, presence confirmed or cancelled."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from certif.sessions.models import Session

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
        limits = throttle.invigilator_limits(request, number if _is_number(number) else "")
        if throttle.is_throttled(limits):
            return throttled(request)
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
        throttle.record_failure(limits)
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
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("certif:invigilator_sign_in")
