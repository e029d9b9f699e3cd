"""The académie view's table as CSV and Excel: one row per school, the figures as the page shows them."""

from django.utils import timezone

from documents.tables import csv_bytes, xlsx_bytes

HEADER = [
    "Établissement",
    "UAI",
    "Type",
    "Académie",
    "Actions faites",
    "Actions requises",
    "Avancement (%)",
    "Étapes faites",
    "Étapes",
    "Étapes en retard",
    "Élèves importés",
    "Élèves ayant commencé un parcours",
    "Ayant commencé (%)",
    "Élèves ayant envoyé leurs résultats",
    "Ayant envoyé (%)",
    "Candidats inscrits à la certification",
    "Élèves du niveau certifié inscrits",
    "Élèves du niveau certifié",
    "Sessions aux résultats publiés",
    "Résultats versés au LSU / LSL",
]


def row(line):
    return [
        line.name,
        line.uai,
        line.get_type_display(),
        line.academie,
        line.items_done,
        line.items,
        line.checklist_percent,
        line.steps_done,
        line.steps,
        line.overdue_steps,
        line.pupils,
        line.started,
        line.started_percent,
        line.shared,
        line.shared_percent,
        line.candidates,
        "" if line.grade_enrolled is None else line.grade_enrolled,
        "" if line.grade_pupils is None else line.grade_pupils,
        line.published_sessions,
        "oui" if line.handed_over else "non",
    ]


def build_csv(rows):
    return csv_bytes(HEADER, (row(line) for line in rows))


def build_xlsx(rows):
    return xlsx_bytes("Établissements", HEADER, (row(line) for line in rows))


FORMATS = {
    "csv": (build_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (build_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def filename(academie, school_type, report, extension):
    """« academie-Lyon-college-2026-12-05.csv »: the scope, the type filter and the day the table was computed."""
    parts = ["academie", academie or "toutes", school_type, f"{timezone.localtime(report.finished_at):%Y-%m-%d}"]
    return "-".join(part for part in parts if part) + f".{extension}"
