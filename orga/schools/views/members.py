"""The school's staff: list, role changes, removal. The rules live in `orga.schools.invitations`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orga.audit.services import Action, record

from .. import invitations as service
from ..forms import AssignClassesForm, InviteForm, RoleForm, SchoolSettingsForm
from ..guards import school_admin_required, school_member_required
from ..models import Invitation, Membership
from ..permissions import is_school_admin


def render_member_list(request, invite_form=None, settings_form=None, status=200):
    """The members page; `invitations.invite` renders it again with its form's errors."""
    school = request.school
    is_admin = is_school_admin(request)
    memberships = (
        school.memberships.filter(is_active=True)
        .select_related("user")
        .prefetch_related("assigned_divisions")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )
    pending = school.invitations.pending().select_related("invited_by").order_by("email")
    awaiting = (
        school.invitations.filter(status=Invitation.Status.AWAITING).select_related("accepted_by").order_by("email")
    )
    context = {
        "page_title": "Membres",
        "school": school,
        "is_admin": is_admin,
        "memberships": memberships,
        "invitations": pending,
        "awaiting": awaiting,
        "invite_form": (invite_form or InviteForm()) if is_admin else None,
        "settings_form": (settings_form or SchoolSettingsForm(instance=school)) if is_admin else None,
        "admin_role": Membership.Role.ADMIN,
        "member_role": Membership.Role.MEMBER,
    }
    return render(request, "orga/members/member_list.html", context, status=status)


@school_member_required
def member_list(request):
    return render_member_list(request)


def _membership_or_404(request, membership_id):
    return get_object_or_404(
        Membership.objects.select_related("user", "school"), pk=membership_id, school=request.school, is_active=True
    )


def _target(membership):
    return ("membre", membership.pk, membership.user.display_name)


@school_admin_required
@require_POST
def change_role(request, membership_id):
    membership = _membership_or_404(request, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez le rôle « Administrateur » ou « Membre ».")
        return redirect("orga:members", uai=request.school.uai)
    try:
        service.change_role(membership, form.cleaned_data["role"])
    except service.MembershipError as error:
        messages.error(request, str(error))
    else:
        name = membership.user.display_name
        role = membership.get_role_display()
        record(request, request.school, Action.MEMBER_ROLE_CHANGED, _target(membership), f"Nouveau rôle : {role}")
        messages.success(request, f"{name} a maintenant le rôle « {membership.get_role_display()} ».")
    return redirect("orga:members", uai=request.school.uai)


@school_admin_required
@require_POST
def remove(request, membership_id):
    membership = _membership_or_404(request, membership_id)
    school = request.school
    try:
        service.remove_member(membership)
    except service.MembershipError as error:
        messages.error(request, str(error))
        return redirect("orga:members", uai=school.uai)
    record(request, school, Action.MEMBER_REMOVED, _target(membership), "Membre retiré de l'établissement")
    if membership.user_id == request.user.pk:
        messages.success(request, f"Vous avez quitté l'établissement {school.name}.")
        return redirect("home")
    messages.success(request, f"{membership.user.display_name} a été retiré(e) de l'établissement.")
    return redirect("orga:members", uai=school.uai)


@school_admin_required
@require_POST
def school_settings(request):
    form = SchoolSettingsForm(request.POST, instance=request.school)
    if not form.is_valid():
        return render_member_list(request, settings_form=form, status=400)
    form.save()
    if request.school.teachers_restricted_to_assigned_classes:
        messages.success(
            request,
            "Chaque enseignant ne voit plus que les classes qu'un administrateur lui attribue : "
            "attribuez-les depuis la liste des membres.",
        )
    else:
        messages.success(request, "Chaque enseignant choisit de nouveau les classes qu'il suit.")
    return redirect("orga:members", uai=request.school.uai)


@school_admin_required
def assign_classes(request, membership_id):
    """The classes an admin assigns to a member: the only ones a teacher sees when the school restricts them."""
    membership = _membership_or_404(request, membership_id)
    form = AssignClassesForm(request.POST if request.method == "POST" else None, instance=membership)
    if form.is_valid():
        form.save()
        count = membership.assigned_divisions.count()
        messages.success(
            request,
            f"{membership.user.display_name} a {count} classe{'s' if count > 1 else ''} "
            f"attribuée{'s' if count > 1 else ''}.",
        )
        return redirect("orga:members", uai=request.school.uai)
    context = {
        "school": request.school,
        "membership": membership,
        "form": form,
        "page_title": f"Classes de {membership.user.display_name}",
    }
    return render(request, "orga/members/assign_classes.html", context, status=400 if form.errors else 200)
