"""The staff's per-class export for the livret scolaire: the admin for every class, a teacher for their classes
(results' visibility: another class is 404, as on the results page)."""

from django.http import Http404, HttpResponse

from certif.results import services
from certif.results.years import school_year_of
from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.schools.guards import school_member_required

from .. import exports, records


def class_results_or_404(request):
    division = request.GET.get("classe", "")
    school_year = school_year_of(request)
    if not division:
        raise Http404("Choisissez une classe.")
    results = services.published_results_by_class(
        request.school, request.user, request.membership, school_year=school_year, division=division
    )
    if division not in results.divisions:
        raise Http404("Aucun résultat publié pour cette classe.")
    return results, division


@school_member_required
def class_export(request, extension):
    if extension not in exports.FORMATS:
        raise Http404("Format inconnu.")
    build, content_type, kind = exports.FORMATS[extension]
    results, division = class_results_or_404(request)
    response = HttpResponse(build(results.rows), content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        exports.filename(request.school, results.school_year, division, extension)
    )
    records.record(
        school=request.school,
        kind=kind,
        school_year=results.school_year,
        division_name=division,
        user=request.user,
        certifications=len(results.rows),
    )
    description = f"Résultats de la classe pour le LSU / LSL ({extension}, {results.school_year})"
    record(request, request.school, Action.LSU_EXPORTED, ("classe", "", division), description)
    return response
