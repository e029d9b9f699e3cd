"""`record`: one sensitive action written to the audit log, and never the reason that action fails.

Who acted is read from what the caller has: a request (its signed-in user and the client's address, read through
the trusted proxies), a user (a background job acting for the one who asked), or a plain label for whoever has no
account (an invigilator, an API client). The event is written in a savepoint of its own: a failure to write it is
logged and swallowed, so the action it records goes on, and the caller's transaction stays usable.
"""

import logging

from django.db import transaction
from django.http import HttpRequest

from accounts.client_address import client_address

from .models import AuditEvent

logger = logging.getLogger(__name__)
Action = AuditEvent.Action


def _clip(value, field):
    text = "" if value is None else str(value)
    return text[: AuditEvent._meta.get_field(field).max_length]


def _plain(value):
    """A detail's value as JSON can hold it."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _actor(request_or_actor):
    """(user or None, label, address or None) of whoever acts."""
    if isinstance(request_or_actor, HttpRequest):
        user = getattr(request_or_actor, "user", None)
        address = client_address(request_or_actor) or None
        if user is not None and user.is_authenticated:
            return user, user.display_name, address
        return None, "Anonyme", address
    if request_or_actor is None:
        return None, "Système", None
    if isinstance(request_or_actor, str):
        return None, request_or_actor, None
    return request_or_actor, request_or_actor.display_name, None


def _target(target):
    """(type, id, label) of an object, a (type, id, label) triple, or nothing."""
    if target is None:
        return "", "", ""
    if isinstance(target, tuple):
        kind, pk, label = target
        return kind, pk, label
    return target._meta.verbose_name, target.pk, str(target)


def record(request_or_actor, school, action, target=None, description="", address=None, once=False, **detail):
    """Write one event; returns it, or None when it could not be written (logged, never raised).

    `once`: not when the same action on the same target is already in the journal, for the end of a background job
    that a retry after a crashed worker runs a second time (its first event holds the counts that were applied).
    """
    try:
        user, label, seen_address = _actor(request_or_actor)
        kind, pk, target_label = _target(target)
        if (
            once
            and AuditEvent.objects.filter(
                school=school, action=action, target_type=_clip(kind, "target_type"), target_id=_clip(pk, "target_id")
            ).exists()
        ):
            return None
        with transaction.atomic():
            return AuditEvent.objects.create(
                school=school,
                actor=user,
                actor_label=_clip(label, "actor_label"),
                action=action,
                description=_clip(description or Action(action).label, "description"),
                target_type=_clip(kind, "target_type"),
                target_id=_clip(pk, "target_id"),
                target_label=_clip(target_label, "target_label"),
                address=address or seen_address,
                detail={key: _plain(value) for key, value in detail.items()},
            )
    except Exception:
        logger.exception("Audit event %s not recorded", action)
        return None
