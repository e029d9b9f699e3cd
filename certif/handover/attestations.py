"""The certification attestation: one page per published, validated result, with the 16 competence levels by area,
the verification code and a QR code to the public verification page."""

import segno
from django.conf import settings
from django.urls import reverse

from certif.results.models import CertificationResult
from crcn.models import Competence
from documents.filenames import download_filename
from documents.pdf import render_pdf
from orga.schools.models import current_school_year


def verification_url(code):
    return settings.SITE_URL.rstrip("/") + reverse("certif:verify", kwargs={"code": code})


def qr_code(url):
    """The QR code of `url` (error correction M at least)."""
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url):
    """The QR code as an SVG data URI, with a quiet zone of 2 modules, for the attestation's <img>."""
    return qr_code(url).svg_data_uri(scale=4, border=2)


def attestable(results):
    """The published, validated results among `results` (a queryset of CertificationResult)."""
    return (
        results.published()
        .filter(status=CertificationResult.Status.VALIDATED, verification_code__isnull=False)
        .select_related("candidate__session__school")
    )


def _areas():
    areas = {}
    for competence in Competence.objects.in_framework_order():
        areas.setdefault(competence.domain, []).append(competence)
    return list(areas.items())


def pages(results):
    areas = _areas()
    out = []
    for result in results:
        levels = result.competence_levels or {}
        url = verification_url(result.verification_code)
        out.append(
            {
                "result": result,
                "candidate": result.candidate,
                "school": result.candidate.session.school,
                "areas": [
                    (domain, [(competence, levels.get(competence.code)) for competence in competences])
                    for domain, competences in areas
                ],
                "url": url,
                "qr": qr_data_uri(url),
            }
        )
    return out


def build_pdf(results):
    return render_pdf("certif/handover/attestation.html", {"pages": pages(results)})


def school_year_of(result):
    return current_school_year(result.candidate.session.date)


def pupil_filename(result):
    candidate = result.candidate
    return download_filename(f"Attestation Pix {candidate.display_last_name} {candidate.first_names}.pdf")


def class_filename(school, school_year, division):
    return download_filename(f"Attestations Pix {school.uai} {school_year} {division}.pdf")
