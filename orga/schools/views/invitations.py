"""Invitations to a school's staff: sending (admins) and answering (public link). Rules: `orga.schools.invitations`."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from orga.audit.services import Action, record

from .. import invitations as service
from ..forms import AccountForm, InviteForm
from ..guards import school_admin_required
from ..models import Invitation
from ..views.members import render_member_list


@school_admin_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return render_member_list(request, invite_form=form)
    email = form.cleaned_data["email"]
    try:
        invitation = service.invite(request.school, email, form.cleaned_data["role"], request.user, request=request)
    except service.MembershipError as error:
        form.add_error("email", str(error))
        return render_member_list(request, invite_form=form)
    verb = "renvoyée" if invitation.resent else "envoyée"
    _record(request, invitation, Action.INVITATION_SENT, f"Invitation {verb} ({invitation.get_role_display()})")
    messages.success(request, f"Invitation {verb} à {invitation.email}")
    return redirect("orga:members", uai=request.school.uai)


def _record(request, invitation, action, description):
    record(request, request.school, action, ("invitation", invitation.pk, invitation.email), description)


def _invitation_or_404(request, invitation_id):
    return get_object_or_404(Invitation.objects.select_related("school"), pk=invitation_id, school=request.school)


@school_admin_required
@require_POST
def resend(request, invitation_id):
    invitation = _invitation_or_404(request, invitation_id)
    try:
        service.resend(invitation, request)
    except service.MembershipError as error:
        messages.error(request, str(error))
    else:
        _record(request, invitation, Action.INVITATION_SENT, "Invitation renvoyée")
        messages.success(request, f"Invitation renvoyée à {invitation.email}")
    return redirect("orga:members", uai=request.school.uai)


@school_admin_required
@require_POST
def cancel(request, invitation_id):
    invitation = _invitation_or_404(request, invitation_id)
    try:
        service.cancel(invitation)
    except service.MembershipError as error:
        messages.error(request, str(error))
    else:
        _record(request, invitation, Action.INVITATION_CANCELLED, "Invitation annulée")
        messages.success(request, f"L'invitation de {invitation.email} a été annulée.")
    return redirect("orga:members", uai=request.school.uai)


@school_admin_required
@require_POST
def answer_acceptance(request, invitation_id, confirmed):
    """A school admin confirms or refuses an acceptance made with another account than the invited address's."""
    invitation = _invitation_or_404(request, invitation_id)
    try:
        (service.confirm if confirmed else service.refuse)(invitation)
    except service.MembershipError as error:
        messages.error(request, str(error))
    else:
        invitation.refresh_from_db(fields=["accepted_by"])
        name = invitation.accepted_by.display_name if invitation.accepted_by else "Le compte"
        if confirmed:
            messages.success(request, f"{name} a rejoint l'établissement (invitation de {invitation.email}).")
        else:
            messages.success(request, f"{name} ne rejoint pas l'établissement (invitation de {invitation.email}).")
    return redirect("orga:members", uai=request.school.uai)


def accept(request, token):
    """The link of the e-mail: confirm (signed in), sign in (known e-mail) or create the account, then join."""
    invitation = Invitation.objects.select_related("school", "invited_by").filter(token=token).first()
    context = {"page_title": "Invitation", "invitation": invitation}
    if invitation is None:
        return render(request, "orga/members/invitation_unknown.html", context, status=404)
    problem = service.unusable_message(invitation)
    if problem:
        context.update(problem=problem, expired=invitation.status == Invitation.Status.PENDING)
        return render(request, "orga/members/invitation_unusable.html", context)
    context.update(school=invitation.school, expires_at=invitation.expires_at)

    if request.user.is_authenticated:
        if request.method == "POST":
            return _join(request, invitation, request.user)
        context["other_email"] = invitation.email.lower() != (request.user.email or "").lower()
        return render(request, "orga/members/invitation_confirm.html", context)

    if service.existing_account(invitation.email) is not None:
        here = reverse("orga:invitation_accept", args=[invitation.token])
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': here})}"
        return render(request, "orga/members/invitation_sign_in.html", context)

    form = AccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = service.create_account_and_accept(
                invitation,
                form.cleaned_data["first_name"],
                form.cleaned_data["last_name"],
                form.cleaned_data["password1"],
            )
        except service.MembershipError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            _joined_message(request, invitation)
            return redirect("home")
    context["form"] = form
    return render(request, "orga/members/invitation_create_account.html", context)


def _join(request, invitation, user):
    try:
        membership = service.accept(invitation, user, request)
    except service.MembershipError as error:
        messages.error(request, str(error))
        return redirect("orga:invitation_accept", token=invitation.token)
    if membership is None:
        messages.info(
            request,
            f"Cette invitation a été envoyée à {invitation.email}, et non à l'adresse de votre compte : "
            f"un administrateur de l'établissement {invitation.school.name} doit confirmer votre arrivée. "
            "Vous accéderez à l'établissement dès qu'il l'aura fait.",
        )
        return redirect("home")
    _joined_message(request, invitation)
    return redirect("home")


def _joined_message(request, invitation):
    messages.success(
        request,
        f"Bienvenue ! Vous avez rejoint l'établissement {invitation.school.name} "
        f"avec le rôle « {invitation.get_role_display()} ».",
    )
