"""Who a user is in pixdeploy. The one place that tells roles apart."""

from dataclasses import dataclass

from .models import Membership


@dataclass(frozen=True)
class Role:
    code: str  # "anonymous", "superuser", "admin", "member", "pupil", "none"
    label: str
    membership: Membership | None = None

    @property
    def school(self):
        return self.membership.school if self.membership else None


def role_of(user):
    """The user's main role, computed once per user object (that is, once per request)."""
    cached = getattr(user, "_pixdeploy_role", None)
    if cached is None:
        cached = _compute_role(user)
        if user.is_authenticated:
            user._pixdeploy_role = cached
    return cached


def _compute_role(user):
    # Staff of several schools get their admin membership first, then by school name.
    if not user.is_authenticated:
        return Role("anonymous", "")
    if user.is_superuser:
        return Role("superuser", "Super-administrateur")
    if user._state.fields_cache.get("pupil") is not None:
        return Role("pupil", "Élève")  # already loaded by the view: pupils have no membership
    membership = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("school")
        .order_by("role", "school__name")
        .first()
    )
    if membership:
        if membership.is_admin:
            return Role("admin", f"Administrateur · {membership.school.name}", membership)
        return Role("member", f"Enseignant · {membership.school.name}", membership)
    if hasattr(user, "pupil"):
        return Role("pupil", "Élève")
    return Role("none", "")
