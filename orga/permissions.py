"""Who may do what: the one place views ask.

Conventions (tested for every view): anonymous → sign-in page; signed in but the
wrong role → 403; staff of another school → 404 (the object is not theirs to know).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def superuser_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied("Cette page est réservée aux super-administrateurs.")
        return view(request, *args, **kwargs)

    return wrapper
