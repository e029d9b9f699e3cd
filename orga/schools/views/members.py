"""The school's staff: list, role changes, removal. The rules live in `orga.schools.invitations`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import invitations as service
from ..forms import InviteForm, RoleForm
from ..guards import school_admin_required, school_member_required
from ..models import Membership
from ..permissions import is_school_admin


def render_member_list(request, invite_form=None, status=200):
    """The members page; `invitations.invite` renders it again with its form's errors."""
    school = request.school
    is_admin = is_school_admin(request)
    memberships = (
        school.memberships.filter(is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )
    pending = school.invitations.pending().select_related("invited_by").order_by("email")
    context = {
        "page_title": "Membres",
        "school": school,
        "is_admin": is_admin,
        "memberships": memberships,
        "invitations": pending,
        "invite_form": (invite_form or InviteForm()) if is_admin else None,
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
    if membership.user_id == request.user.pk:
        messages.success(request, f"Vous avez quitté l'établissement {school.name}.")
        return redirect("home")
    messages.success(request, f"{membership.user.display_name} a été retiré(e) de l'établissement.")
    return redirect("orga:members", uai=school.uai)
