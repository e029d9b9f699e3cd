"""The view guards: who may open a page, by the rules of permissions.py.

Conventions (tested for every view): anonymous → sign-in page; signed in but the
wrong role → 403; staff of another school → 404 (the object is not theirs to know).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, School
from .permissions import class_refusal, enters_school, sees_whole_school


def superuser_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied("Cette page est réservée aux super-administrateurs.")
        return view(request, *args, **kwargs)

    return wrapper


def _school_access(request, uai, admin_only):
    """The school at `uai` and the user's membership, or the HTTP answer that refuses access."""
    user = request.user
    school = School.objects.filter(uai=uai).first()
    if school is None:
        raise Http404("Établissement introuvable.")
    membership = None  # a superuser needs none: no query for it
    if not user.is_superuser:
        membership = Membership.objects.filter(school=school, user=user, is_active=True).first()
        if membership is not None:
            membership.school = school  # the permissions read the school's settings: no second query
    if not enters_school(user, membership):
        if hasattr(user, "pupil") and user.pupil.school_id == school.id:
            raise PermissionDenied("Cet espace est réservé aux personnels de l'établissement.")
        # Staff of another school, or anyone else: this school is none of their business.
        raise Http404("Établissement introuvable.")
    if admin_only and not sees_whole_school(user, membership):
        raise PermissionDenied("Cette action est réservée aux administrateurs de l'établissement.")
    return school, membership


def _school_view(admin_only):
    def decorator(view):
        @wraps(view)
        def wrapper(request, uai, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.school, request.membership = _school_access(request, uai, admin_only)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The view receives `request.school` and `request.membership` (None for a superuser), not the `uai`.
school_member_required = _school_view(admin_only=False)
school_admin_required = _school_view(admin_only=True)


def class_open_or_403(request, division_id):
    """Refuse (403, with the French reason) a class-level page or download of a class the school does not
    let this user open: the one rule of `permissions.class_refusal`, for every such view."""
    reason = class_refusal(request.user, request.membership, division_id)
    if reason:
        raise PermissionDenied(reason)
