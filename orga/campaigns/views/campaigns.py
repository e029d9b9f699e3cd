"""Campaigns for staff: list, create, the campaign's page with its code and printouts, edit, archive."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from crcn.presets import PRESETS_BY_CODE
from documents.pdf import pdf_response
from orga.audit.services import Action, record
from orga.pupils.models import Division
from orga.schools.guards import class_open_or_403, school_member_required
from orga.schools.permissions import classes_open_to, is_school_admin

from ..forms import CampaignFilterForm, CampaignForm
from ..models import Campaign, Participation
from ..panels import render_tab
from ..services import create_campaign

STATUS = Participation.Status


def _campaigns(school):
    current = Q(participations__is_improved=False)
    return (
        Campaign.objects.filter(school=school)
        .select_related("owner")
        .annotate(
            started=Count("participations", filter=current & Q(participations__status=STATUS.STARTED)),
            to_share=Count("participations", filter=current & Q(participations__status=STATUS.TO_SHARE)),
            shared=Count("participations", filter=current & Q(participations__status=STATUS.SHARED)),
        )
    )


def _campaign_or_404(request, campaign_id):
    return get_object_or_404(_campaigns(request.school).prefetch_related("competences", "divisions"), id=campaign_id)


def _check_can_edit(request, campaign):
    if not campaign.can_be_edited_by(request.user, request.membership):
        raise PermissionDenied("Seuls le propriétaire de la campagne et les administrateurs peuvent la modifier.")


@school_member_required
def campaign_list(request):
    filters = CampaignFilterForm(request.GET, school=request.school, user=request.user)
    campaigns = filters.filter(_campaigns(request.school)).order_by("-created_at")
    template = "orga/campaigns/_list_table.html" if request.htmx else "orga/campaigns/list.html"
    return render(
        request,
        template,
        {
            "school": request.school,
            "campaigns": campaigns,
            "filters": filters,
            "can_import": is_school_admin(request),
            "page_title": "Campagnes",
        },
    )


@school_member_required
def campaign_create(request):
    school = request.school
    form = CampaignForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = create_campaign(
            school=school,
            owner=request.user,
            name=data["name"],
            type=data["type"],
            preset=data.get("preset", ""),
            competence_codes=data["competence_codes"],
            divisions=data["divisions"],
            multiple_sendings=data["multiple_sendings"],
            description=data["description"],
        )
        record(request, school, Action.CAMPAIGN_CREATED, campaign, "Campagne créée")
        messages.success(request, f"Campagne créée : donnez le code {campaign.code} à vos élèves.")
        return redirect("orga:campaign_detail", uai=school.uai, campaign_id=campaign.id)
    return render(
        request, "orga/campaigns/form.html", {"school": school, "form": form, "page_title": "Nouvelle campagne"}
    )


@school_member_required
def campaign_detail(request, campaign_id):
    campaign = _campaign_or_404(request, campaign_id)
    divisions = list(campaign.divisions.all()) or list(Division.objects.filter(school=request.school))
    open_classes = classes_open_to(request.user, request.membership)
    if open_classes:  # the school restricts teachers to their assigned classes: no link that answers 403
        divisions = list(Division.objects.filter(open_classes, id__in=[d.id for d in divisions]))
    return render_tab(  # the "Paramètres" tab
        request,
        "orga/campaigns/detail.html",
        "orga/campaigns/_settings_panel.html",
        {
            "school": request.school,
            "campaign": campaign,
            "competences": sorted(campaign.competences.all(), key=lambda c: c.code),
            "letter_divisions": divisions,
            "preset": PRESETS_BY_CODE.get(campaign.preset),
            "can_edit": campaign.can_be_edited_by(request.user, request.membership),
            "tab": "parametres",
            "page_title": campaign.name,
        },
    )


@school_member_required
def campaign_edit(request, campaign_id):
    campaign = _campaign_or_404(request, campaign_id)
    _check_can_edit(request, campaign)
    started = campaign.participations.exists()
    initial = {
        "name": campaign.name,
        "type": campaign.type,
        "preset": campaign.preset,
        "competences": campaign.competences.all(),
        "divisions": campaign.divisions.all(),
        "multiple_sendings": campaign.multiple_sendings,
        "description": campaign.description,
    }
    form = CampaignForm(request.POST or None, initial=initial, school=request.school, lock_competences=started)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign.name = data["name"]
        campaign.multiple_sendings = data["multiple_sendings"]
        campaign.description = data["description"]
        if not started:
            campaign.type = data["type"]
            campaign.preset = data.get("preset", "")
            campaign.competences.set(campaign.competences.model.objects.filter(code__in=data["competence_codes"]))
        campaign.save()
        campaign.divisions.set(data["divisions"])
        messages.success(request, "Campagne modifiée.")
        return redirect("orga:campaign_detail", uai=request.school.uai, campaign_id=campaign.id)
    return render(
        request,
        "orga/campaigns/form.html",
        {"school": request.school, "form": form, "campaign": campaign, "page_title": f"Modifier {campaign.name}"},
    )


@require_POST
@school_member_required
def campaign_archive(request, campaign_id):
    campaign = _campaign_or_404(request, campaign_id)
    _check_can_edit(request, campaign)
    if request.POST.get("action") == "desarchiver":
        campaign.archived_at = None
        messages.success(request, "Campagne désarchivée : les élèves peuvent de nouveau y participer.")
    else:
        campaign.archived_at = timezone.now()
        record(request, request.school, Action.CAMPAIGN_ARCHIVED, campaign, "Campagne archivée")
        messages.success(request, "Campagne archivée : le code ne permet plus d'y participer.")
    campaign.save(update_fields=["archived_at"])
    return redirect("orga:campaign_detail", uai=request.school.uai, campaign_id=campaign.id)


@school_member_required
def instruction_sheet(request, campaign_id):
    """A page of cut-out slips telling pupils how to join, to hand out in class."""
    campaign = _campaign_or_404(request, campaign_id)
    site = request.build_absolute_uri("/")
    context = {
        "campaign": campaign,
        "school": request.school,
        "site": site,
        "code_url": request.build_absolute_uri(reverse("orga:enter_code")),
        "slips": range(8),
    }
    return pdf_response("orga/pdf/instruction_sheet.html", context, f"consignes-{campaign.code}.pdf")


@school_member_required
def guardians_letter(request, campaign_id, division_id):
    """A letter informing the legal guardians of a class, one page per pupil."""
    campaign = _campaign_or_404(request, campaign_id)
    division = get_object_or_404(Division, id=division_id, school=request.school)
    class_open_or_403(request, division.id)
    pupils = division.pupils.filter(is_active=True).order_by("last_name", "first_name")
    context = {
        "campaign": campaign,
        "school": request.school,
        "division": division,
        "pupils": pupils,
        "competences": sorted(campaign.competences.all(), key=lambda c: c.code),
        "code_url": request.build_absolute_uri(reverse("orga:enter_code")),
        "today": timezone.localdate(),
    }
    filename = f"lettre-familles-{division.name.replace(' ', '')}.pdf"
    record(request, request.school, Action.CLASS_DOCUMENT, division, f"Lettres aux familles ({campaign.code})")
    return pdf_response("orga/pdf/guardians_letter.html", context, filename)
