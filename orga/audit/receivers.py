"""What the journal hears of the lower apps: a sign-in refused after too many failures (accounts' signal)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import sign_in_locked

from .models import AuditEvent
from .services import Action, record

# While the limit holds, every attempt is refused: the journal keeps one event per login in this while.
QUIET = timedelta(minutes=5)


def _school_of(user):
    """The school whose admins should know: the staff member's (active membership), else the pupil's."""
    if user is None:
        return None
    membership = user.memberships.filter(is_active=True).select_related("school").order_by("id").first()
    if membership is not None:
        return membership.school
    pupil = getattr(user, "pupil", None)
    return pupil.school if pupil is not None else None


@receiver(sign_in_locked)
def record_lockout(sender, request, login, **kwargs):
    login = str(login or "").strip()[:150]
    if not login:
        return
    if AuditEvent.objects.filter(
        action=Action.SIGN_IN_LOCKOUT, target_label=login, created_at__gte=timezone.now() - QUIET
    ).exists():
        return
    user = get_user_model().objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).first()
    target = ("compte", user.pk if user else "", login)
    record(request, _school_of(user), Action.SIGN_IN_LOCKOUT, target, "Connexion refusée après trop d'échecs")
