import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from orga.classes.follow_up import classes_overview, followed_divisions
from orga.models import Campaign, School, current_school_year
from orga.schools.guards import school_admin_required, superuser_required
from orga.schools.roles import role_of

from . import checklist, dashboards, school_years
from .academie import is_referent
from .models import ChecklistTick
from .tasks import ping
from .wording import count_of
from .zones import zone_of

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def home(request):
    role = role_of(request.user)
    if role.code == "none" and is_referent(request.user):
        return redirect("academie")  # an académie referent with no school of their own
    context = {"role": role, "page_title": "Accueil"}
    if role.code == "admin":
        school = role.school
        context["school"] = school
        context["steps"] = checklist.checklist_for(school)
        context["year_progress"] = checklist.year_progress(context["steps"])
        context["zone"] = zone_of(school.academie)
        pupils, divisions = school.pupils.filter(is_active=True).count(), school.divisions.count()
        size = f"{count_of(pupils, 'élève actif', 'élèves actifs')} dans {count_of(divisions, 'classe')}"
        context["school_size"] = size
        context["sessions_today"] = dashboards.sessions_today(school, request.user, timezone.localdate())
        context["checklist_year"] = current_school_year()
        context["year_behind"] = school_years.is_behind(school)
        context["year_closable"] = not context["year_behind"] and not school_years.refusal(school)
    elif role.code == "member":
        context.update(_teacher_home(request.user, role.membership))
    elif role.code == "superuser":
        context["schools"] = School.objects.visible_to(request.user).order_by("name")
    elif role.code == "pupil":
        pupil = request.user.pupil
        context["pupil"] = pupil
        context["years"] = dashboards.profile_by_year(pupil)
        context["certification"] = dashboards.pupil_certification(pupil, timezone.localdate())
    return render(request, "pixdeploy/home.html", context)


def _teacher_home(user, membership):
    """A teacher's home: the classes they follow and the campaigns to follow, never the principal's checklist."""
    school = membership.school
    summaries = classes_overview(followed_divisions(school, user, membership), school)
    for summary in summaries:
        summary.reached_label = count_of(summary.reached, "élève")
        summary.participants_label = count_of(summary.participants, "élève")
    followed = [summary.division.id for summary in summaries]
    campaigns = list(
        Campaign.objects.filter(school=school, archived_at__isnull=True)
        .filter(Q(owner=user) | Q(divisions__in=followed))
        .annotate(
            pupil_count=Count("participations__pupil", filter=Q(participations__is_improved=False), distinct=True)
        )
        .distinct()
        .order_by("-created_at")
    )
    for campaign in campaigns:
        campaign.pupils_label = count_of(campaign.pupil_count, "élève")
    today = timezone.localdate()
    return {
        "school": school,
        "summaries": summaries,
        "campaigns": campaigns,
        "classes_certification": dashboards.classes_certification(school, user, membership, today),
        "sessions_today": dashboards.sessions_today(school, user, today),
    }


@require_POST
@school_admin_required
def checklist_tick(request, key):
    """A school admin ticks (or unticks) a checklist item that no data can tell."""
    if key not in checklist.MANUAL_ITEMS:
        raise Http404("Élément de la check-list introuvable.")
    school_year = current_school_year()
    ticks = ChecklistTick.objects.filter(school=request.school, school_year=school_year, item_key=key)
    label = checklist.MANUAL_ITEMS[key].format(registry=request.school.results_registry_label)
    if request.POST.get("done") == "1":
        # Ticked twice (two admins, a double click): the first who ticked it stays.
        ChecklistTick.objects.get_or_create(
            school=request.school, school_year=school_year, item_key=key, defaults={"ticked_by": request.user}
        )
        messages.success(request, f"« {label} » est coché.")
    else:
        ticks.delete()
        messages.success(request, f"« {label} » est décoché.")
    return redirect("home")


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 — shown to the operator as is
        return False, str(exc)


def _worker_status():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "aucune file configurée : les tâches s'exécutent immédiatement dans le serveur web"
    try:
        # The broker first, in a second: with Redis down, the ping's result subscription retried for 20 s and then
        # broke the process's Celery app ("must be restarted"; bench/faults/redis_down.py).
        with ping.app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=1)
    except Exception as exc:  # noqa: BLE001
        return False, f"serveur de tâches (Redis) injoignable ({exc.__class__.__name__})"
    try:
        report = ping.apply_async().get(timeout=5)
        return True, f"le worker {report['hostname']} a répondu"
    except Exception as exc:  # noqa: BLE001
        return False, f"aucun worker n'a répondu en 5 s ({exc.__class__.__name__})"


@superuser_required
def service_status(request):
    checks = [("Base de données", *_database_status()), ("Tâches de fond (Celery)", *_worker_status())]
    return render(request, "pixdeploy/service_status.html", {"checks": checks, "page_title": "État du service"})


def stack_check(request):
    """« ok » once the request has gone through every middleware — the session read, the signed-in user loaded —,
    unlike `/sante/`, answered before them: the load benchmarks' reference for a page that does nothing, and a
    check for a load balancer that wants the whole stack (database and cache included) to answer."""
    request.user.is_authenticated  # noqa: B018 -- loaded, as every page loads it
    return HttpResponse("ok", content_type="text/plain")


def accessibilite(request):
    return render(request, "pixdeploy/accessibilite.html", {"page_title": "Accessibilité"})


def mentions_legales(request):
    return render(request, "pixdeploy/mentions_legales.html", {"page_title": "Mentions légales"})


def server_error(request):
    """The 500 page, or the 503 page when the database could not be reached (a cut connection, a restart): the
    request failed, the next one will find a new connection (CONN_HEALTH_CHECKS). Renders without the database."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


def admin_login(request, extra_context=None):
    """The admin site's sign-in is the site's one sign-in page, with its limits on wrong passwords
    (`accounts.rate_limits`): Django's own form would let anyone try passwords there unlimited."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("L'administration est réservée aux super-administrateurs.")
    return redirect_to_login(reverse("admin:index"), login_url=reverse("account_login"))
