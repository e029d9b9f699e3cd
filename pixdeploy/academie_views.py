"""The académie view's pages: the latest table of the schools, « Recalculer », its progress, its exports.

Who: a superuser (every school, an académie to choose) or an académie referent (the schools of their académies);
anonymous → sign-in page; anyone else → 403; an académie not theirs → 404, as another school is to a school's staff.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from documents.filenames import content_disposition
from orga.models import School
from orga.schools.permissions import sees_academie_view

from . import academie, academie_exports
from .models import AcademieReport


def academie_view_required(view):
    """The request gets `referent_academies` (the user's, {key: name}; none for a superuser) and `academie_scopes`
    (those they may choose, {key: name}, "" for every school)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.referent_academies = academie.referent_academies(user)
        if not sees_academie_view(user, request.referent_academies):
            raise PermissionDenied("Cette page est réservée aux référents d'académie et aux super-administrateurs.")
        request.academie_scopes = academie.scopes_for(user, request.referent_academies)
        return view(request, *args, **kwargs)

    return wrapper


def _scope(request, value):
    """The académie asked (?academie=, its key), checked against the user's; by default their first."""
    if value is None:
        return next(iter(request.academie_scopes), "")
    if value not in request.academie_scopes:
        raise Http404("Académie introuvable.")
    return value


def _filters(request):
    scope = _scope(request, request.GET.get("academie"))
    school_type = request.GET.get("type", "")
    if school_type not in School.Type.values:
        school_type = ""
    sort = request.GET.get("tri", academie.DEFAULT_SORT)
    return scope, school_type, sort if sort in academie.SORTS else academie.DEFAULT_SORT


def _rows(request, report, scope, school_type, sort):
    if report is None:
        return []
    return list(
        academie.report_rows(
            report, request.user, request.referent_academies, academie=scope, school_type=school_type, sort=sort
        )
    )


@academie_view_required
def academie_view(request):
    scope, school_type, sort = _filters(request)
    job = academie.latest_job(scope)
    report = academie.latest_done(scope)
    context = {
        "page_title": "Établissements de l'académie",
        "scope": scope,
        "scope_label": request.academie_scopes[scope],
        "scopes": request.academie_scopes,
        "school_type": school_type,
        "types": School.Type.choices,
        "sort": sort,
        "sorts": SORT_LABELS,
        "job": job,
        "report": report,
        "rows": _rows(request, report, scope, school_type, sort),
    }
    return render(request, "pixdeploy/academie.html", context)


SORT_LABELS = [
    ("nom", "Nom"),
    ("academie", "Académie"),
    ("type", "Type"),
    ("avancement", "Avancement de la check-list"),
    ("retard", "Étapes en retard"),
    ("eleves", "Élèves importés"),
    ("participation", "Élèves ayant commencé"),
    ("envois", "Élèves ayant envoyé"),
    ("certification", "Candidats inscrits"),
]


def _back(scope):
    return f"{reverse('academie')}?academie={scope}" if scope else reverse("academie")


@require_POST
@academie_view_required
def academie_recompute(request):
    scope = _scope(request, request.POST.get("academie", ""))
    _job, created = academie.start_report(scope, request.user)
    if created:
        messages.success(request, "Le calcul du tableau est lancé : la page se met à jour toute seule.")
    else:
        messages.info(request, "Le tableau est déjà en cours de calcul.")
    return redirect(_back(scope))


def _job_or_404(request, job_id):
    job = get_object_or_404(AcademieReport, id=job_id)
    if job.academie not in request.academie_scopes:
        raise Http404("Calcul introuvable.")
    return job


@academie_view_required
def academie_job_status(request, job_id):
    """The progress bar, polled by htmx while the job runs; once it ended, the whole page again."""
    job = _job_or_404(request, job_id)
    if not request.htmx:
        return redirect(_back(job.academie))
    if not job.is_running:
        return HttpResponseClientRefresh()
    return render(request, "pixdeploy/_academie_job.html", {"job": job, "scope": job.academie})


@require_POST
@academie_view_required
def academie_job_rescue(request, job_id, action):
    job = _job_or_404(request, job_id)
    message, done = job.rescue(action)
    (messages.success if done else messages.error)(request, message)
    return redirect(_back(job.academie))


@academie_view_required
def academie_export(request, file_format):
    if file_format not in academie_exports.FORMATS:
        raise Http404("Format d'export inconnu : CSV ou Excel (.csv, .xlsx).")
    scope, school_type, sort = _filters(request)
    report = academie.latest_done(scope)
    if report is None:
        raise Http404("Aucun tableau calculé pour cette académie : lancez le calcul.")
    build, content_type, extension = academie_exports.FORMATS[file_format]
    data = build(_rows(request, report, scope, school_type, sort))
    response = HttpResponse(data, content_type=content_type)
    name = academie_exports.filename(scope, school_type, report, extension)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response
