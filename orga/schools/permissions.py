"""Who sees what: the one place these rules are written. QuerySets, services and views ask here.

- A superuser sees every school; anyone else, the schools where they are an active member.
- The académie view (every school's checklist and participation side by side) is a superuser's, for every
  school, or an académie referent's, for the schools of their académies only; no one else's.
- Within a school, a superuser or the school's admin sees everything: every class, campaign,
  participant, export and resource.
- The author of a campaign or a resource manages it too: edits it, sees every participant.
- A teacher sees the pupils of the classes they follow: those they chose, or, when the school restricts
  teachers to their assigned classes, only those an admin assigned them; then every class-level page and
  download of another class is refused to them (`class_refusal`), and the campaigns they own show only
  their classes' participants.

The rules deal in users, memberships (the user's active membership of the school, None for a
superuser) and Q filters, so that the QuerySets of every room may call them; the view guards that
apply them to a request, with their conventions (sign-in page, 403, 404), are in guards.py.
"""

from django.db.models import Q

NOTHING = Q(pk__in=[])  # a filter that keeps no row (and runs no query)


def schools_visible_to(user, path=""):
    """Q of the rows whose school, reached by `path` ("" for School itself, "school" for a row of a school),
    the user sees: every school for a superuser, those where they are an active member for anyone else."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return Q()
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}memberships__user": user, f"{prefix}memberships__is_active": True})


def sees_academie_view(user, referent_academies):
    """A superuser, or an académie referent (`referent_academies`: the académies the user is referent of), opens
    the académie view."""
    return user.is_authenticated and (user.is_superuser or bool(referent_academies))


def academie_scopes(user, referent_academies, known_academies=()):
    """The académies (as the view names them) the user may look at in the académie view: "" (every school) then
    each of `known_academies` for a superuser; a referent's own académies; nothing for anyone else."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return ["", *sorted(set(known_academies) - {""})]
    return sorted(set(referent_academies))


def academie_rows(user, referent_academies, field="academie"):
    """Q of the rows (schools, or rows whose académie is in `field`) the user sees in the académie view: every
    row for a superuser, those of their académies for a referent, none for anyone else."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return Q()
    if not referent_academies:
        return NOTHING
    return Q(**{f"{field}__in": list(referent_academies)})


def enters_school(user, membership):
    """A superuser, or an active member of the school, enters its space."""
    return user.is_superuser or membership is not None


def sees_whole_school(user, membership):
    """A superuser or the school's admin sees everything of the school."""
    return user.is_superuser or (membership is not None and membership.is_admin)


def manages(user, membership, author_id):
    """The author of a campaign or a resource (`author_id`), or whoever sees the whole school, manages it."""
    return author_id == user.id or sees_whole_school(user, membership)


CLASS_NOT_ASSIGNED = (
    "Votre établissement réserve chaque classe aux enseignants qu'un administrateur y a affectés, "
    "et cette classe ne vous a pas été attribuée : demandez-la à un administrateur de l'établissement."
)


def restricted_to_assigned_classes(user, membership):
    """Whether the school restricts this user, a teacher, to the classes an admin assigned them
    (`membership.school` is the request's school, set by the guards: no query)."""
    return (
        not sees_whole_school(user, membership)
        and membership is not None
        and membership.school.teachers_restricted_to_assigned_classes
    )


def _classes_of(user, membership):
    """The teacher's classes: the assigned ones when the school restricts them to those, else the chosen ones."""
    if restricted_to_assigned_classes(user, membership):
        return membership.assigned_divisions
    return membership.divisions


def sees_every_participant(user, membership, owner_id):
    """Whoever sees the whole school, and the campaign's owner unless the school restricts teachers to their
    assigned classes (then an owner sees their classes' participants, as any teacher)."""
    if restricted_to_assigned_classes(user, membership):
        return False
    return manages(user, membership, owner_id)


def classes_followed_by(user, membership, field="pk"):
    """Q of the rows whose class (`field`: "pk" for Division itself, "pupil__division" for a participation)
    the user follows: every class for whoever sees the whole school, their classes for a teacher."""
    if sees_whole_school(user, membership):
        return Q()
    if membership is None:
        return NOTHING
    return Q(**{f"{field}__in": _classes_of(user, membership).all()})


def follows_class(user, membership, division_id):
    """Whether the user follows this class: no query for whoever sees the whole school, one for a teacher."""
    if sees_whole_school(user, membership):
        return True
    return membership is not None and _classes_of(user, membership).filter(id=division_id).exists()


def classes_open_to(user, membership, field="pk"):
    """Q of the rows whose class (`field`, as in `classes_followed_by`) the user may open: every class (an empty Q),
    unless the school restricts teachers to their assigned classes; then a teacher's assigned classes."""
    if not restricted_to_assigned_classes(user, membership):
        return Q()
    return Q(**{f"{field}__in": membership.assigned_divisions.all()})


def class_refusal(user, membership, division_id):
    """Why the user may not open this class's pages and downloads, in French, or "" when they may.
    Every member may open every class (no query) unless the school restricts teachers to their assigned
    classes: then a teacher, only those (one query)."""
    if not restricted_to_assigned_classes(user, membership):
        return ""
    if division_id is not None and membership.assigned_divisions.filter(id=division_id).exists():
        return ""
    return CLASS_NOT_ASSIGNED


def is_school_admin(request):
    """The request's user sees the whole school (`request.membership` is set by the guards)."""
    return sees_whole_school(request.user, request.membership)
