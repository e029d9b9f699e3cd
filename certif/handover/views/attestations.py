"""Attestations: the pupil downloads their own from « Ma certification »; the staff one pupil's or a whole class's
(one page each) from the results by class, within the results' visibility. Each staff download is a HandOver; a
pupil keeping their own attestation hands nothing over to the livret scolaire."""

from django.http import Http404, HttpResponse

from certif.course.access import pupil_required
from certif.results import services
from certif.results.models import CertificationResult
from documents.filenames import content_disposition
from orga.audit.services import Action, record
from orga.schools.guards import school_member_required

from .. import attestations, records
from ..models import HandOver
from .exports import class_results_or_404


def _pdf(results, filename):
    response = HttpResponse(attestations.build_pdf(results), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def _record(request, school, school_year, division, count):
    records.record(
        school=school,
        kind=HandOver.Kind.ATTESTATIONS,
        school_year=school_year,
        division_name=division,
        user=request.user,
        certifications=count,
    )
    description = f"{count} attestation(s) de certification (PDF, {school_year})"
    record(request, school, Action.CERTIFICATION_EXPORTED, ("classe", "", division), description)


@pupil_required
def my_attestation(request, pupil, candidate_id):
    result = (
        attestations.attestable(CertificationResult.objects.filter(candidate__pupil=pupil))
        .filter(candidate_id=candidate_id)
        .first()
    )
    if result is None:
        raise Http404("Aucune attestation pour cette certification.")
    return _pdf([result], attestations.pupil_filename(result))


@school_member_required
def pupil_attestation(request, result_id):
    visible = CertificationResult.objects.filter(candidate__session__school=request.school).filter(
        services.visible_division_names(request.school, request.user, request.membership)
    )
    result = attestations.attestable(visible).filter(id=result_id).first()
    if result is None:
        raise Http404("Aucune attestation pour ce résultat.")
    response = _pdf([result], attestations.pupil_filename(result))
    _record(request, request.school, attestations.school_year_of(result), result.candidate.division_name, 1)
    return response


@school_member_required
def class_attestations(request):
    results, division = class_results_or_404(request)
    validated = [
        row for row in results.rows if row.status == CertificationResult.Status.VALIDATED and row.verification_code
    ]
    if not validated:
        raise Http404("Aucune certification validée dans cette classe.")
    for row in validated:
        row.candidate.session.school = request.school
    response = _pdf(validated, attestations.class_filename(request.school, results.school_year, division))
    _record(request, request.school, results.school_year, division, len(validated))
    return response
