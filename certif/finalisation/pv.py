"""The PV de session: what the finalisation recorded, printed by WeasyPrint (documents/pdf.py) once the session
is finalised."""

from certif.documents.sheets import session_context
from documents.pdf import render_pdf

from .services import rows_of

TEMPLATE = "certif/finalisation/pv.html"


def report_line(report):
    """(code, label) of an issue report: "C6" and its label, or for a problem on a question "E3" and its label."""
    label = report.get_subcategory_display() if report.subcategory else report.get_category_display()
    code, dash, text = label.partition(" — ")
    return (code, text) if dash else ("", label)


def pv_context(session):
    rows = rows_of(session)
    for row in rows:
        row.report_lines = [(report, *report_line(report)) for report in row.candidate.issue_reports.all()]
    present = [row for row in rows if not row.is_absent]
    return session_context(session) | {
        "rows": rows,
        "counts": {
            "enrolled": len(rows),
            "present": len(present),
            "finished": sum(1 for row in present if row.is_completed),
            "absent": len(rows) - len(present),
            "reports": sum(len(row.candidate.issue_reports.all()) for row in rows),
        },
    }


def filename(session):
    return f"pv-session-{session.number}.pdf"


def render_pv(session):
    return render_pdf(TEMPLATE, pv_context(session))
