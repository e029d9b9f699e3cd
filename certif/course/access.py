"""Who may open a candidate's pages: a signed-in pupil, on their own candidacy in an open session (the arrival
pages of `invigilation/` and the test's pages use the same two), and which browser it is."""

import secrets
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from certif.sessions.models import Candidate, Session


def pupil_required(view):
    """Anonymous → sign-in page; an account that is not a pupil's → 403; else the view gets the pupil."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pupil = getattr(request.user, "pupil", None)
        if pupil is None:
            raise PermissionDenied
        return view(request, pupil, *args, **kwargs)

    return wrapper


def own_candidacy(pupil, candidate_id):
    """The pupil's own candidacy in a session still open, else 404 (another pupil's, another school's)."""
    return get_object_or_404(
        Candidate.objects.select_related("session"),
        id=candidate_id,
        pupil=pupil,
        session__status=Session.Status.CREATED,
    )


BROWSER_KEY = "certif_browser_key"


def browser_key(request):
    """This browser's random key, kept in its Django session: the course stores the key of the one that answers.
    The waiting page draws it already, so that tabs opening the test at once share one."""
    key = request.session.get(BROWSER_KEY)
    if not key:
        key = request.session[BROWSER_KEY] = secrets.token_urlsafe(32)
    return key
