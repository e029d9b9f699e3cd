"""School staff: invitations and memberships (Pix Orga behaviour). Views stay thin and call these functions.

Every function that refuses raises a `MembershipError` (a `ValueError`) whose message is French and meant for
the user as is.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .models import Invitation, Membership

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
LAST_ADMIN_MESSAGE = "L'établissement doit garder au moins un administrateur."


class MembershipError(ValueError):
    """A refused invitation or membership change; `str(error)` is the French message to show."""


class AlreadyMemberError(MembershipError):
    pass


class LastAdminError(MembershipError):
    pass


class InvitationNotUsableError(MembershipError):
    pass


def normalize_email(email):
    return (email or "").strip().lower()


def _role(role):
    try:
        return Membership.Role(role)
    except ValueError:
        raise MembershipError(f"Rôle inconnu : « {role} ».") from None


def format_datetime(value):
    """« 14 mai 2026 à 09:30 », in the site's time zone."""
    return date_format(timezone.localtime(value), "j F Y à H:i")


# Invitations


def _absolute(path, request=None):
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/") + path


def invitation_url(invitation, request=None):
    return _absolute(reverse("orga:invitation_accept", args=[invitation.token]), request)


def _send(template, context, recipients):
    subject = " ".join(render_to_string(f"orga/emails/{template}_subject.txt", context).split())
    send_mail(subject, render_to_string(f"orga/emails/{template}_body.txt", context), None, recipients)


def send_invitation_email(invitation, request=None):
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "school": invitation.school,
        "inviter_name": inviter.display_name if inviter else "",
        "role_label": invitation.get_role_display(),
        "url": invitation_url(invitation, request),
        "expires_at": invitation.expires_at,
        "validity_days": Invitation.VALIDITY.days,
    }
    _send("invitation", context, [invitation.email])


def send_acceptance_to_confirm_email(invitation, request=None):
    """Tell the school's admins that an acceptance made with another account waits for their confirmation."""
    admins = Membership.objects.filter(school=invitation.school, role=Membership.Role.ADMIN, is_active=True)
    recipients = sorted({email for email in admins.values_list("user__email", flat=True) if email})
    if not recipients:
        return
    user = invitation.accepted_by
    context = {
        "invitation": invitation,
        "school": invitation.school,
        "role_label": invitation.get_role_display(),
        "account_name": user.display_name,
        "account_email": user.email,
        "url": _absolute(reverse("orga:members", args=[invitation.school.uai]), request) + "#a-confirmer",
    }
    try:
        _send("acceptance_to_confirm", context, recipients)
    except OSError:  # the mail server failed (SMTPException is an OSError): the members page still shows it
        logger.exception("Courriel aux administrateurs non envoyé pour l'invitation %s", invitation.pk)


def invite(school, email, role, invited_by, request=None):
    """Invite `email` to the school's staff, or re-send its pending invitation; e-mail it; return it.

    The returned invitation has `resent` set: True when a pending invitation was sent again (same row, same
    token, a new validity of 7 days from now and the new role), False when it was created.
    """
    email = normalize_email(email)
    role = _role(role)
    if Membership.objects.filter(school=school, is_active=True, user__email__iexact=email).exists():
        raise AlreadyMemberError(f"{email} est déjà membre de l'établissement.")
    try:
        with transaction.atomic():
            invitation = _pending_invitation(school, email)
            if invitation is None:
                invitation = Invitation.objects.create(school=school, email=email, role=role, invited_by=invited_by)
                invitation.resent = False
            else:
                _refresh(invitation, role=role, invited_by=invited_by)
    except IntegrityError:
        # Someone created the pending invitation between our look-up and our insert: send that one again.
        with transaction.atomic():
            invitation = _pending_invitation(school, email)
            if invitation is None:
                raise
            _refresh(invitation, role=role, invited_by=invited_by)
    send_invitation_email(invitation, request)
    return invitation


def _pending_invitation(school, email):
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "invited_by")
        .pending()
        .filter(school=school, email__iexact=email)
        .first()
    )


def _refresh(invitation, role=None, invited_by=None):
    invitation.sent_at = timezone.now()
    fields = ["sent_at"]
    if role is not None:
        invitation.role = role
        fields.append("role")
    if invited_by is not None:
        invitation.invited_by = invited_by
        fields.append("invited_by")
    invitation.save(update_fields=fields)
    invitation.resent = True


STATES = {
    Invitation.Status.PENDING: "est encore en attente",
    Invitation.Status.ACCEPTED: "a déjà été acceptée",
    Invitation.Status.EXPIRED: "a déjà été close (expirée)",
    Invitation.Status.AWAITING: "a déjà été acceptée et attend la confirmation d'un administrateur",
    Invitation.Status.REFUSED: "a déjà été refusée par un administrateur",
    Invitation.Status.CANCELLED: "a déjà été annulée",
}


def _locked_invitation(invitation, status=Invitation.Status.PENDING):
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "invited_by", "accepted_by")
        .get(pk=invitation.pk)
    )
    if locked.status != status:
        raise InvitationNotUsableError(f"L'invitation de {locked.email} {STATES[locked.status]}.")
    return locked


def resend(invitation, request=None):
    """Send a pending invitation again, with the same link, valid 7 days from now (even when it had expired)."""
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        _refresh(invitation)
    send_invitation_email(invitation, request)
    return invitation


def expire_invitations(now=None):
    """Close the pending invitations expired for over a month (Celery beat, hourly). Returns how many."""
    now = now or timezone.now()
    sent_before = now - Invitation.VALIDITY - Invitation.KEPT_AFTER_EXPIRY
    return (
        Invitation.objects.pending()
        .filter(sent_at__lt=sent_before)
        .update(status=Invitation.Status.EXPIRED, answered_at=now)
    )


def cancel(invitation):
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        invitation.status = Invitation.Status.CANCELLED
        invitation.save(update_fields=["status"])
    return invitation


def email_matches(invitation, user):
    """Whether the account's e-mail is the invited address (case aside)."""
    email = normalize_email(user.email)
    return bool(email) and email == normalize_email(invitation.email)


def accept(invitation, user, request=None):
    """Make `user` a member of the invitation's school with its role (a member keeps the higher role).

    When the account's e-mail is not the invited address, nobody joins yet: the invitation waits for a school
    admin's confirmation (`confirm` or `refuse`), and this returns None.
    """
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        if invitation.is_expired:
            raise InvitationNotUsableError(unusable_message(invitation))
        _refuse_pupil(user)
        if not email_matches(invitation, user):
            _answer(invitation, Invitation.Status.AWAITING, user)
            transaction.on_commit(lambda: send_acceptance_to_confirm_email(invitation, request))
            return None
        return _join(invitation, user)


def confirm(invitation):
    """A school admin confirms an acceptance made with another account than the invited address's."""
    with transaction.atomic():
        invitation = _locked_invitation(invitation, Invitation.Status.AWAITING)
        user = invitation.accepted_by
        if user is None:
            raise MembershipError("Le compte qui a accepté cette invitation n'existe plus : refusez-la.")
        _refuse_pupil(user)
        return _join(invitation, user)


def refuse(invitation):
    """A school admin refuses an acceptance made with another account: nobody joins."""
    with transaction.atomic():
        invitation = _locked_invitation(invitation, Invitation.Status.AWAITING)
        _answer(invitation, Invitation.Status.REFUSED, invitation.accepted_by)
    return invitation


def _refuse_pupil(user):
    if hasattr(user, "pupil"):
        raise MembershipError("Un compte élève ne peut pas rejoindre l'équipe d'un établissement.")


def _answer(invitation, status, user):
    invitation.status = status
    invitation.accepted_by = user
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "answered_at"])


def _join(invitation, user):
    """The member of the invitation's school that `user` becomes (inside the caller's transaction)."""
    membership = Membership.objects.select_for_update().filter(school=invitation.school, user=user).first()
    if membership is None:
        membership = Membership.objects.create(school=invitation.school, user=user, role=invitation.role)
    else:
        if not membership.is_active:
            membership.role = invitation.role
        elif invitation.role == Membership.Role.ADMIN:
            membership.role = Membership.Role.ADMIN
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    _answer(invitation, Invitation.Status.ACCEPTED, user)
    return membership


def unusable_message(invitation):
    """Why the invitation cannot be accepted, in French, or "" when it can."""
    if invitation.status == Invitation.Status.CANCELLED:
        return "Cette invitation a été annulée par l'établissement."
    if invitation.status == Invitation.Status.ACCEPTED:
        return "Cette invitation a déjà été acceptée."
    if invitation.status == Invitation.Status.AWAITING:
        return (
            "Cette invitation a été acceptée avec un compte dont l'adresse électronique n'est pas celle invitée : "
            "un administrateur de l'établissement doit confirmer cette arrivée."
        )
    if invitation.status == Invitation.Status.REFUSED:
        return (
            "Un administrateur de l'établissement a refusé que cette invitation soit acceptée avec un autre compte : "
            "demandez-lui une nouvelle invitation."
        )
    if invitation.is_expired:
        expired_on = format_datetime(invitation.expires_at)
        return f"Cette invitation a expiré le {expired_on} : demandez à l'administrateur de vous la renvoyer."
    return ""


def existing_account(email):
    """The account already using this e-mail (as e-mail or as username), if any."""
    email = normalize_email(email)
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()


def create_account_and_accept(invitation, first_name, last_name, password):
    """Create the invited person's account (username and e-mail: the invitation's), then accept for it."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    email = normalize_email(invitation.email)
    with transaction.atomic():
        user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        accept(invitation, user)
    return user


# Memberships


def _lock_admins(school):
    return list(
        Membership.objects.select_for_update()
        .filter(school=school, role=Membership.Role.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


def change_role(membership, role):
    role = _role(role)
    with transaction.atomic():
        admin_ids = _lock_admins(membership.school_id)
        membership.refresh_from_db(fields=["role", "is_active"])
        if not membership.is_active:
            raise MembershipError("Cette personne ne fait plus partie de l'établissement.")
        if membership.pk in admin_ids and role != Membership.Role.ADMIN and len(admin_ids) <= 1:
            raise LastAdminError(LAST_ADMIN_MESSAGE)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(membership):
    """Take the member out of the school's staff; the row stays (inactive) for history."""
    with transaction.atomic():
        admin_ids = _lock_admins(membership.school_id)
        membership.refresh_from_db(fields=["role", "is_active"])
        if not membership.is_active:
            raise MembershipError("Cette personne ne fait plus partie de l'établissement.")
        if membership.pk in admin_ids and len(admin_ids) <= 1:
            raise LastAdminError(LAST_ADMIN_MESSAGE)
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    return membership
