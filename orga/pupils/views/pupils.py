import logging

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.schools.guards import school_admin_required, school_member_required
from orga.schools.permissions import is_school_admin

from ..accounts import credentials_csv, credentials_pdf, generate_accounts, reset_passwords
from ..models import Division, SiecleImport

logger = logging.getLogger(__name__)


@school_member_required
def division_list(request):
    school = request.school
    divisions = Division.objects.filter(school=school).annotate(
        active_pupils=Count("pupils", filter=Q(pupils__is_active=True)),
        with_account=Count("pupils", filter=Q(pupils__is_active=True, pupils__user__isnull=False)),
    )
    last_import = SiecleImport.objects.filter(school=school, status=SiecleImport.Status.DONE).first()
    return render(
        request,
        "orga/pupils/divisions.html",
        {
            "school": school,
            "divisions": divisions,
            "last_import": last_import,
            "can_manage": is_school_admin(request),
            "page_title": "Classes",
        },
    )


@school_admin_required
def division_accounts(request, division_id):
    division = get_object_or_404(Division, id=division_id, school=request.school)
    pupils = division.pupils.filter(is_active=True).select_related("user").order_by("last_name", "first_name")
    return render(
        request,
        "orga/pupils/accounts.html",
        {"school": request.school, "division": division, "pupils": pupils, "page_title": f"Comptes des {division}"},
    )


NOTHING_TICKED = (
    "Aucun élève coché : cochez les élèves dont le mot de passe doit être réinitialisé, "
    "ou « Tout sélectionner ». Aucun mot de passe n'a été changé."
)
NO_ACCOUNT = "Aucun des élèves choisis n'a encore de compte : générez d'abord les comptes."


def _active_pupils(division):
    return (
        division.pupils.filter(is_active=True)
        .select_related("division", "user")
        .order_by("last_name", "first_name", "id")
    )


def _ticked_pupils(request, division):
    """The pupils ticked on the accounts page (the whole class with « Tout sélectionner »); None if none is ticked."""
    pupils = _active_pupils(division)
    if request.POST.get("tout") == "1":
        return list(pupils)
    values = request.POST.getlist("eleves")
    ids = {int(value) for value in values if value.isascii() and value.isdigit() and len(value) < 10}
    return list(pupils.filter(id__in=ids)) if ids else None


def _back_to_accounts(request, division, level, message):
    messages.add_message(request, level, message)
    return redirect("orga:division_accounts", uai=request.school.uai, division_id=division.id)


@require_POST
@school_admin_required
def reset_confirm(request, division_id):
    """First step of a reset: say how many pupils and which, before any password changes."""
    division = get_object_or_404(Division, id=division_id, school=request.school)
    ticked = _ticked_pupils(request, division)
    if not ticked:
        return _back_to_accounts(request, division, messages.ERROR, NOTHING_TICKED)
    pupils = [pupil for pupil in ticked if pupil.user_id is not None]
    if not pupils:
        return _back_to_accounts(request, division, messages.WARNING, NO_ACCOUNT)
    return render(
        request,
        "orga/pupils/reset_confirm.html",
        {
            "school": request.school,
            "division": division,
            "temporary": [pupil for pupil in pupils if pupil.user.must_change_password],
            "chosen": [pupil for pupil in pupils if not pupil.user.must_change_password],
            "without_account": len(ticked) - len(pupils),
            "page_title": f"Réinitialiser des mots de passe des {division}",
        },
    )


def _sheet_response(request, credentials, fmt, division):
    school = request.school
    filename = f"identifiants-{school.uai}-{division.name.replace(' ', '')}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(credentials_csv(credentials), content_type="text/csv; charset=utf-8")
    else:
        login_url = request.build_absolute_uri(reverse("account_login"))
        pdf = credentials_pdf(credentials, school, division.name, login_url)
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@school_admin_required
def credentials_file(request, division_id, fmt):
    """Generate missing accounts or reset passwords, and answer with the sheet (PDF or CSV).

    The sheet is built before the new passwords are committed, in the same transaction: if it
    fails, no account is created and every old password still works.
    """
    division = get_object_or_404(Division, id=division_id, school=request.school)
    if fmt not in ("pdf", "csv"):
        return HttpResponse("Format inconnu : pdf ou csv.", status=404)
    action = request.POST.get("action")
    pupils = _ticked_pupils(request, division)
    if action == "generer":
        # Generating only creates the missing accounts: with none ticked, those of the whole class.
        pupils = list(_active_pupils(division)) if pupils is None else pupils
        create = generate_accounts
        empty_message = "Tous les élèves choisis ont déjà un compte : utilisez « Réinitialiser les mots de passe »."
    elif action == "reinitialiser":
        if not pupils:
            return _back_to_accounts(request, division, messages.ERROR, NOTHING_TICKED)
        if request.POST.get("confirme") != "1":
            message = "Confirmez d'abord la réinitialisation : aucun mot de passe n'a été changé."
            return _back_to_accounts(request, division, messages.ERROR, message)
        if request.POST.get("inclure_choisis") != "1":
            pupils = [pupil for pupil in pupils if pupil.user_id is None or pupil.user.must_change_password]
        create = reset_passwords
        empty_message = (
            "Aucun mot de passe réinitialisé : les élèves choisis n'ont pas de compte ou ont déjà choisi "
            "leur mot de passe (il faut le demander explicitement pour le réinitialiser)."
        )
    else:
        return HttpResponse("Action inconnue.", status=400)
    try:
        with transaction.atomic():
            credentials = create(pupils)
            if not credentials:
                return _back_to_accounts(request, division, messages.WARNING, empty_message)
            response = _sheet_response(request, credentials, fmt, division)
            count = len(credentials)
            if create is reset_passwords:
                event, description = Action.PASSWORDS_RESET, f"{count} mot(s) de passe réinitialisé(s), fiche {fmt}"
            else:
                event, description = Action.CREDENTIALS_PRINTED, f"{count} compte(s) créé(s), fiche {fmt}"
            record(request, request.school, event, division, description, pupils=count, format=fmt)
            return response
    except Exception:
        logger.exception("Credentials sheet of division %s failed; accounts rolled back", division.id)
        message = (
            "Le fichier des identifiants n'a pas pu être créé : aucun compte n'a été créé et aucun mot de passe "
            "n'a été changé. Réessayez ; si le problème continue, signalez-le à l'assistance."
        )
        return _back_to_accounts(request, division, messages.ERROR, message)
