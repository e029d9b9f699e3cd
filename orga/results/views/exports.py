"""Exports for staff: ask for a file, follow its production, download it.

Who sees what:
- any member of the school asks for an export of any of its campaigns; the file only holds the
  participations the requester may see (`participations_visible_to`, applied when it is built);
- "Mes exports" lists the requester's own exports; a school admin sees every export of the school;
- an export's page and file are the requester's and the school admins'. Another member gets a 404,
  not a 403: ids follow each other, and whether a colleague exported a class is not theirs to know
  (the same answer as for another school's objects);
- pupils get a 403, anonymous visitors the sign-in page (school_member_required).
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from documents.filenames import download_filename
from orga.audit.services import Action, record
from orga.campaigns.models import Campaign
from orga.pupils.models import Division
from orga.schools.guards import class_open_or_403, school_member_required
from orga.schools.permissions import classes_open_to, follows_class, is_school_admin, sees_every_participant

from ..exports import CONTENT_TYPES, report_filename, start_report
from ..forms import ReportForm
from ..models import Report

LIST_LIMIT = 100


def _sees_every_class(request, campaign):
    return sees_every_participant(request.user, request.membership, campaign.owner_id)


def _reports(request):
    reports = Report.objects.filter(school=request.school).select_related("campaign", "division", "requested_by")
    if not is_school_admin(request):
        reports = reports.filter(requested_by=request.user)
    return reports


def _report_or_404(request, report_id):
    return get_object_or_404(_reports(request), id=report_id)


def _list_page(request, form, status=200):
    school = request.school
    reports = list(_reports(request)[:LIST_LIMIT])
    context = {
        "school": school,
        "form": form,
        "reports": reports,
        "any_running": any(r.is_running for r in reports),
        "sees_all": is_school_admin(request),
        "campaigns": Campaign.objects.filter(school=school).order_by("archived_at", "-created_at"),
        "divisions": Division.objects.filter(classes_open_to(request.user, request.membership), school=school).order_by(
            "name"
        ),
        "kinds": Report.Kind.choices,
        "page_title": "Mes exports",
    }
    if request.htmx and request.method == "GET":
        return render(request, "orga/exports/_table.html", context)
    return render(request, "orga/exports/list.html", context, status=status)


@school_member_required
def report_list(request):
    initial = {"kind": Report.Kind.RESULTS_XLSX}
    if request.GET.get("campagne", "").isdigit():
        initial["campaign"] = int(request.GET["campagne"])
    if request.GET.get("classe", "").isdigit():
        initial["division"] = int(request.GET["classe"])
    return _list_page(request, ReportForm(initial=initial))


def _id_or_none(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@require_POST
@school_member_required
def report_create(request):
    school = request.school
    campaign_id = _id_or_none(request.POST.get("campaign"))
    division_id = _id_or_none(request.POST.get("division"))
    campaign = get_object_or_404(Campaign, id=campaign_id, school=school) if campaign_id else None
    division = get_object_or_404(Division, id=division_id, school=school) if division_id else None
    if division is not None:
        class_open_or_403(request, division.id)
    division_allowed = True
    if campaign and division and not _sees_every_class(request, campaign):
        division_allowed = follows_class(request.user, request.membership, division.id)
    form = ReportForm(request.POST, division_allowed=division_allowed)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    report = start_report(
        school=school, campaign=campaign, kind=form.cleaned_data["kind"], user=request.user, division=division
    )
    return redirect("orga:report_detail", uai=school.uai, report_id=report.id)


@school_member_required
def report_detail(request, report_id):
    report = _report_or_404(request, report_id)
    context = {
        "school": request.school,
        "report": report,
        "page_title": report.get_kind_display(),
        "can_manage": True,  # whoever sees an export (its requester, the school's admins) may rescue it
    }
    if request.htmx:
        return render(request, "orga/exports/_status.html", context)
    return render(request, "orga/exports/detail.html", context)


@school_member_required
def report_download(request, report_id):
    report = _report_or_404(request, report_id)
    if report.division_id is not None:
        class_open_or_403(request, report.division_id)
    if report.status != Report.Status.DONE or not report.file:
        return redirect(reverse("orga:report_detail", kwargs={"uai": request.school.uai, "report_id": report.id}))
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Le fichier n'est plus disponible : relancez l'export.") from error
    filename = download_filename(report_filename(report))
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[report.kind])
    response["Cache-Control"] = "private, no-store"  # personal data
    target = ("export", report.pk, filename)
    record(request, request.school, Action.RESULTS_EXPORTED, target, f"{report.get_kind_display()} téléchargé")
    return response


@require_POST
@school_member_required
def report_rescue(request, report_id, action):
    report = _report_or_404(request, report_id)
    message, done = report.rescue(action)
    (messages.success if done else messages.error)(request, message)
    return redirect("orga:report_detail", uai=request.school.uai, report_id=report.id)
