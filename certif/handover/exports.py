"""The class's published results as a file for a livret scolaire (LSU / LSL) that cannot pull them through the
API: CSV (`;`, UTF-8 with a BOM, as the house's other CSV exports) and Excel. Every text cell from a person goes
through `documents.cells.defuse`."""

from certif.results.csv_format import COMPETENCE_CODES
from certif.results.models import CertificationResult
from documents.cells import defuse_row
from documents.filenames import download_filename
from documents.tables import csv_bytes, xlsx_bytes

from .models import HandOver

HEADER = [
    "INE",
    "Nom",
    "Prénom(s)",
    "Date de naissance",
    "Statut",
    "Score pix",
    *COMPETENCE_CODES,
    "Code de vérification",
    "Date de passage",
]


def row(result):
    candidate = result.candidate
    validated = result.status == CertificationResult.Status.VALIDATED
    levels = result.competence_levels or {}
    return defuse_row(
        [
            candidate.ine,
            candidate.display_last_name,
            candidate.first_names,
            candidate.birthdate.strftime("%d/%m/%Y"),
            result.get_status_display(),
            result.pix_score if validated else "",
            *[(levels.get(code, "") if validated else "") for code in COMPETENCE_CODES],
            result.verification_code or "" if validated else "",
            candidate.session.date.strftime("%d/%m/%Y"),
        ]
    )


def build_csv(results):
    return csv_bytes(HEADER, (row(result) for result in results))


def build_xlsx(results):
    return xlsx_bytes("Certification Pix", HEADER, (row(result) for result in results))


FORMATS = {
    "csv": (build_csv, "text/csv; charset=utf-8", HandOver.Kind.EXPORT_CSV),
    "xlsx": (
        build_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        HandOver.Kind.EXPORT_XLSX,
    ),
}


def filename(school, school_year, division, extension):
    return download_filename(f"Certification Pix {school.uai} {school_year} {division}.{extension}")
