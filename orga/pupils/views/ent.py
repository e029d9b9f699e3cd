"""A school admin links a pupil's account to an ENT identity, or unlinks it (orga.pupils.ent)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from orga.audit.models import AuditEvent
from orga.audit.services import record
from orga.schools.guards import school_admin_required

from ..ent import ent_providers, link, unlink
from ..forms import EntLinkForm
from ..models import Pupil


def _pupil(request, pupil_id):
    return get_object_or_404(Pupil.objects.select_related("user"), id=pupil_id, school=request.school)


def _record(request, pupil, action, social_account):
    provider, uid = social_account.provider, social_account.uid
    description = f"{AuditEvent.Action(action).label} ({provider})"
    record(request, request.school, action, pupil, description, provider=provider, uid=uid)


def _back(request, pupil):
    return redirect("orga:pupil_detail", uai=request.school.uai, pupil_id=pupil.id)


@require_POST
@school_admin_required
def pupil_ent_link(request, pupil_id):
    pupil = _pupil(request, pupil_id)
    if pupil.user is None:
        messages.error(request, "Cet élève n'a pas encore de compte : générez d'abord les comptes de sa classe.")
        return _back(request, pupil)
    form = EntLinkForm(request.POST, providers=ent_providers())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(request, pupil)
    try:
        linked = link(pupil.user, form.cleaned_data["provider"], form.cleaned_data["identifier"].strip())
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        if linked is not None:
            _record(request, pupil, AuditEvent.Action.ENT_LINKED, linked)
        messages.success(request, "Le compte de l'élève est relié à son compte ENT : il peut se connecter par l'ENT.")
    return _back(request, pupil)


@require_POST
@school_admin_required
def pupil_ent_unlink(request, pupil_id, link_id):
    pupil = _pupil(request, pupil_id)
    removed = unlink(pupil.user, link_id) if pupil.user is not None else None
    if removed is not None:
        _record(request, pupil, AuditEvent.Action.ENT_UNLINKED, removed)
    messages.success(request, "Le compte ENT n'est plus relié à ce compte pixdeploy.")
    return _back(request, pupil)
