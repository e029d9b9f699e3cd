from django.conf import settings
from django.db import connection
from django.shortcuts import render

from orga.models import School
from orga.schools.guards import superuser_required
from orga.schools.roles import role_of

from . import checklist
from .tasks import ping


def home(request):
    role = role_of(request.user)
    context = {"role": role, "page_title": "Accueil"}
    if role.code in ("admin", "member"):
        school = role.school
        context["school"] = school
        context["steps"] = checklist.checklist_for(school)
        context["pupil_count"] = school.pupils.filter(is_active=True).count()
        context["division_count"] = school.divisions.count()
    elif role.code == "superuser":
        context["schools"] = School.objects.visible_to(request.user).order_by("name")
    elif role.code == "pupil":
        context["pupil"] = request.user.pupil
    return render(request, "pixdeploy/home.html", context)


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
        report = ping.apply_async().get(timeout=5)
        return True, f"le worker {report['hostname']} a répondu"
    except Exception as exc:  # noqa: BLE001
        return False, f"aucun worker n'a répondu en 5 s ({exc.__class__.__name__})"


@superuser_required
def service_status(request):
    checks = [("Base de données", *_database_status()), ("Tâches de fond (Celery)", *_worker_status())]
    return render(request, "pixdeploy/service_status.html", {"checks": checks, "page_title": "État du service"})


def accessibilite(request):
    return render(request, "pixdeploy/accessibilite.html", {"page_title": "Accessibilité"})


def mentions_legales(request):
    return render(request, "pixdeploy/mentions_legales.html", {"page_title": "Mentions légales"})
