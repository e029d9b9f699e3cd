"""A campaign's results as files: CSV and Excel tables, and a class report in PDF; and, as the same kind of job,
the letters to the guardians of every class of a campaign (orga/campaigns/letters.py).

Every file shows the figures of the Résultats and Analyse tabs: the rows of `frames.campaign_results`, the
summary of the campaign's aggregates. The CSV and the workbook read their rows from a source
(orga/results/sources.py): a frame in memory, or the database a chunk at a time, written as read (the CSV
line by line, the workbook in openpyxl's write-only mode). The builders are plain functions that the benchmark
times; `process_report` produces a requested `Report` in the background (see tasks.py), safe to run twice: the
first run claims the row, a second finds it claimed and returns.
"""

import copy
import io
import tempfile

import pandas as pd
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from crcn.levels import level_range, max_reachable_level
from crcn.models import Domain
from documents.cells import defuse, defuse_row
from documents.charts import scale_chart_svg
from documents.pdf import render_pdf
from jobs.queue import queue_on_commit
from jobs.runner import JobError, run_job
from orga.campaigns.letters import code_url, letter_divisions, letter_pupils, letters_pdf
from orga.campaigns.models import Participation
from orga.schools.models import Membership
from orga.schools.permissions import class_refusal, enters_school, sees_whole_school

from . import pix_csv
from .frames import (
    CampaignResults,
    campaign_results,
    competence_profile,
    expected_answers,
    participations_visible_to,
    pupil_priorities,
    tube_analysis,
)
from .models import Report
from .sources import PIX, DatabaseSource, FrameSource

PARIS = "Europe/Paris"
STATUS = Participation.Status
NO_DIVISION = "Sans classe"
CONTENT_TYPES = {
    Report.Kind.RESULTS_CSV: "text/csv; charset=utf-8",
    Report.Kind.RESULTS_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Report.Kind.CLASS_PDF: "application/pdf",
    Report.Kind.SCHOOL_LETTERS: "application/pdf",
}
EXTENSIONS = {
    Report.Kind.RESULTS_CSV: "csv",
    Report.Kind.RESULTS_XLSX: "xlsx",
    Report.Kind.CLASS_PDF: "pdf",
    Report.Kind.SCHOOL_LETTERS: "pdf",
}
# Kinds only those who see the whole school may ask for: they hold every class's pupils.
WHOLE_SCHOOL_KINDS = (Report.Kind.SCHOOL_LETTERS,)

# --- The results table (each class sheet of the workbook) ---------------------------------------

BASE_COLUMNS = [
    "Établissement",
    "Campagne",
    "Code",
    "Nom",
    "Prénom",
    "Classe",
    "% de progression",
    "Date de début",
    "Partage (O/N)",
    "Date du partage",
    "% de maîtrise de l'ensemble des acquis du profil",
]


def competence_columns(code):
    """The columns of one competence, in order, with the frame column each one copies."""
    return [
        (f"% de maîtrise des acquis de la compétence {code}", f"mastery:{code}"),
        (f"Acquis testés dans la compétence {code}", f"tested:{code}"),
        (f"Acquis maîtrisés dans la compétence {code}", f"validated:{code}"),
        (f"Niveau {code}", f"level:{code}"),
        (f"Pix {code}", f"pix:{code}"),
    ]


def export_columns(codes):
    return BASE_COLUMNS + [name for code in codes for name, _ in competence_columns(code)]


def percent_columns(codes):
    return ["% de progression", BASE_COLUMNS[-1]] + [competence_columns(code)[0][0] for code in codes]


def _paris_dates(series):
    """Aware datetimes (or NaT) → dates in Paris, NaT kept."""
    return pd.to_datetime(series, utc=True).dt.tz_convert(PARIS).dt.date


def results_table(results, school_name=None):
    """The frame as the export's table: French columns, one row per participation, NA where no result."""
    campaign = results.campaign
    codes = results.codes
    columns = export_columns(codes)
    frame = results.frame
    if frame.empty:
        return pd.DataFrame(columns=columns)
    school_name = school_name if school_name is not None else campaign.school.name
    table = pd.DataFrame(
        {
            "Établissement": school_name,
            "Campagne": campaign.name,
            "Code": campaign.code,
            "Nom": frame["last_name"],
            "Prénom": frame["first_name"],
            "Classe": frame["division"],
            "% de progression": frame["progress"].astype("Int64"),
            "Date de début": _paris_dates(frame["created_at"]),
            "Partage (O/N)": frame["status"].eq(STATUS.SHARED).map({True: "O", False: "N"}),
            "Date du partage": _paris_dates(frame["shared_at"]),
            BASE_COLUMNS[-1]: frame["mastery"],
        },
        index=frame.index,
    )
    extra = {name: frame[source] for code in codes for name, source in competence_columns(code)}
    table = pd.concat([table, pd.DataFrame(extra, index=frame.index)], axis=1)
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].map(defuse)  # text a spreadsheet would run as a formula is quoted
    return table[columns]


def _int_or_none(value):
    return None if pd.isna(value) else int(value)


def pix_campaign(results, school_name=None):
    """The campaign as the Pix-format CSV sees it: its profile's competences in framework order, titled."""
    campaign = results.campaign
    domains = {row[0]: row[1:] for row in Domain.objects.values_list("id", "code", "title")}
    targets = results.target_counts()
    competences = sorted(results.competences, key=lambda c: (domains[c.domain_id][0], c.code))
    return pix_csv.Campaign(
        organisation=school_name if school_name is not None else campaign.school.name,
        id=campaign.id,
        code=campaign.code,
        name=campaign.name,
        target_profile=campaign.target_profile_name,
        competences=tuple(
            pix_csv.Competence(c.code, c.title, domains[c.domain_id][1], targets[c.code]) for c in competences
        ),
    )


def pix_participants(results):
    """One `pix_csv.Participant` per row of the frame, in the frame's order (the source's: `sources.PIX`)."""
    frame = results.frame
    if frame.empty:
        return
    codes = results.codes
    expected = expected_answers(len(codes))
    for row in frame.to_dict("records"):
        shared = row["status"] == STATUS.SHARED and pd.notna(row["shared_at"])
        yield pix_csv.Participant(
            last_name=row["family_name"],
            first_name=row["first_name"],
            division=row["division"],
            started_at=row["created_at"],
            finished=row["status"] != STATUS.STARTED,
            answered=int(row["answered"]),
            expected=expected,
            shared_at=row["shared_at"] if shared else None,
            validated={code: _int_or_none(row[f"validated:{code}"]) for code in codes},
            levels={code: (_int_or_none(row[f"level:{code}"]), _int_or_none(row[f"pix:{code}"])) for code in codes},
        )


def csv_chunks(source, school_name=None, with_levels=True, lines_per_chunk=500):
    """Pix Orga's results file (orga/results/pix_csv.py), pixdeploy's levels and pix after Pix's columns, as bytes
    chunk by chunk: `source` (orga/results/sources.py) reads the participants a chunk at a time."""
    campaign = pix_campaign(source.targets(), school_name)
    participants = (p for results in source.chunks(PIX) for p in pix_participants(results))
    buffer = []
    for text in pix_csv.lines(campaign, participants, with_levels=with_levels):
        buffer.append(text)
        if len(buffer) >= lines_per_chunk:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
    yield "".join(buffer).encode("utf-8")


def build_csv(results, school_name=None, with_levels=True):
    """The whole file of results in memory (`frames.campaign_results`)."""
    return b"".join(csv_chunks(FrameSource(results), school_name, with_levels))


# --- The Excel workbook --------------------------------------------------------------------------

INVALID_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_title(name, used):
    """A valid, unique (case-insensitive) sheet name of at most 31 characters."""
    title = (name or NO_DIVISION).translate(INVALID_SHEET_CHARS).strip().strip("'").strip() or NO_DIVISION
    title = title[:31]
    candidate, n = title, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def status_counts(frame):
    return {status: int((frame["status"] == status).sum()) if not frame.empty else 0 for status in STATUS.values}


def _cell(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def build_xlsx(results, school_name=None, progress=None, today=None, output=None):
    """A "Synthèse" sheet, then one sheet per class with the CSV's columns, formatted.

    `results`: a `CampaignResults`, or a source of `orga/results/sources.py`. The workbook is written in
    openpyxl's write-only mode, a chunk of participants at a time, into `output` (a binary file), or returned as
    bytes without one."""
    source = FrameSource(results) if isinstance(results, CampaignResults) else results
    if output is None:
        output = io.BytesIO()
        _write_xlsx(source, output, school_name, progress, today)
        return output.getvalue()
    _write_xlsx(source, output, school_name, progress, today)
    return None


class _Styles:
    """The workbook's cell styles, and a write-only cell carrying them."""

    def __init__(self):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.bold = Font(bold=True)
        self.fill = PatternFill("solid", fgColor="E3E3FD")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.left = Alignment(horizontal="left")
        self._formats = {}  # (sheet, number format): its style

    @staticmethod
    def cell(sheet, value, **style):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value)
        for name, item in style.items():
            setattr(cell, name, item)
        return cell

    def _styled(self, sheet, value, key, **style):
        """A cell with this style, copied from a first one: setting a style costs more, and its indexes are the
        workbook's, the same in every sheet."""
        from openpyxl.cell import WriteOnlyCell

        if key not in self._formats:
            self._formats[key] = self.cell(sheet, None, **style)._style
        cell = WriteOnlyCell(sheet, value)
        cell._style = copy.copy(self._formats[key])
        return cell

    def formatted(self, sheet, value, number_format):
        """A cell with this number format; an empty cell stays unformatted (and unwritten)."""
        if value is None:
            return None
        return self._styled(sheet, value, number_format, number_format=number_format)

    def header(self, sheet, values):
        style = {"font": self.bold, "fill": self.fill, "alignment": self.wrap}
        return [self._styled(sheet, v, "header", **style) for v in values]


def _color_scale(max_level):
    from openpyxl.formatting.rule import ColorScaleRule

    return ColorScaleRule(
        start_type="num",
        start_value=0,
        start_color="F8696B",
        mid_type="num",
        mid_value=max_level / 2,
        mid_color="FFEB84",
        end_type="num",
        end_value=max_level,
        end_color="63BE7B",
    )


def _write_summary(workbook, styles, source, school_name, today, max_level):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    campaign, codes = source.campaign, [c.code for c in source.competences]
    summary = workbook.create_sheet("Synthèse")
    for index, width in enumerate((26, 60, 10, 14) + (12,) * len(level_range()), start=1):
        summary.column_dimensions[get_column_letter(index)].width = width
    cell = styles.cell
    summary.append([cell(summary, "Résultats de la campagne", font=Font(bold=True, size=14))])
    for label, value in (("Établissement", school_name), ("Campagne", campaign.name), ("Code", campaign.code)):
        label, value = defuse_row([label, value])
        summary.append([cell(summary, label, font=styles.bold), value])
    summary.append(
        [
            cell(summary, "Date de l'export", font=styles.bold),
            cell(summary, today, number_format="DD/MM/YYYY", alignment=styles.left),
        ]
    )
    summary.append([])
    summary.append([cell(summary, v, font=styles.bold, fill=styles.fill) for v in ("Participants", "Nombre")])
    counts = source.status_counts()
    for status, label in STATUS.choices:
        summary.append([label, counts[status]])
    summary.append([cell(summary, "Total", font=styles.bold), cell(summary, sum(counts.values()), font=styles.bold)])
    summary.append([])
    summary.append([cell(summary, "Compétences : élèves ayant envoyé leurs résultats", font=Font(bold=True, size=12))])
    header = ["Compétence", "Intitulé", "Élèves", "Niveau moyen"] + [f"% au niveau {level}" for level in level_range()]
    summary.append(styles.header(summary, header))
    header_row = 6 + len(STATUS.choices) + 5
    for item in source.profile():
        competence = item["competence"]
        values = defuse_row([competence.code, competence.title, item["count"], item["mean_level"], *item["shares"]])
        values[3] = cell(summary, values[3], number_format="0.0")
        values[4:] = [cell(summary, share, number_format="0%") for share in values[4:]]
        summary.append(values)
    if codes:
        summary.conditional_formatting.add(f"D{header_row + 1}:D{header_row + len(codes)}", _color_scale(max_level))


def _write_xlsx(source, output, school_name, progress, today):
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    campaign = source.campaign
    codes = [c.code for c in source.competences]
    school_name = school_name if school_name is not None else campaign.school.name
    today = today or timezone.localdate()
    max_level = max_reachable_level()
    styles = _Styles()
    workbook = Workbook(write_only=True)
    _write_summary(workbook, styles, source, school_name, today, max_level)

    columns = export_columns(codes)
    percents = set(percent_columns(codes))
    formats = dict.fromkeys(percents, "0%") | {"Date de début": "DD/MM/YYYY", "Date du partage": "DD/MM/YYYY"}
    formats = {columns.index(name): number_format for name, number_format in formats.items()}
    level_letters = [get_column_letter(columns.index(f"Niveau {code}") + 1) for code in codes]
    widths = {name: min(max(len(name) * 0.45, 10), 18) for name in columns}
    widths.update({"Établissement": 24, "Campagne": 24, "Code": 12, "Nom": 20, "Prénom": 16, "Classe": 10})
    used = {"synthèse"}
    sheet, rows = None, 0

    def close(sheet, rows):
        last = rows + 1
        if rows:
            for letter in level_letters:
                sheet.conditional_formatting.add(f"{letter}2:{letter}{last}", _color_scale(max_level))
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"

    division = None
    for done, chunk in enumerate(source.chunks(), start=1):
        table = results_table(chunk, school_name)
        for column in percents:
            table[column] = table[column].astype("Float64") / 100
        for row in table.astype(object).where(table.notna(), None).values.tolist():
            if sheet is None or row[5] != division:
                if sheet is not None:
                    close(sheet, rows)
                division, rows = row[5], 0
                sheet = workbook.create_sheet(sheet_title(division, used))
                for index, name in enumerate(columns, start=1):
                    sheet.column_dimensions[get_column_letter(index)].width = widths[name]
                sheet.freeze_panes = "A2"
                sheet.row_dimensions[1].height = 75
                sheet.append(styles.header(sheet, columns))
            values = [_cell(v) for v in row]
            for index, number_format in formats.items():
                values[index] = styles.formatted(sheet, values[index], number_format)
            sheet.append(values)
            rows += 1
        if progress:
            progress(done, source.chunk_count())
    if sheet is not None:
        close(sheet, rows)
    workbook.save(output)


# --- The class report (PDF) -----------------------------------------------------------------------


def class_results(results, division):
    """The results restricted to one class (a no-op when they already are)."""
    frame = results.frame
    if not frame.empty:
        frame = frame[frame["division"] == division.name].reset_index(drop=True)
    return CampaignResults(campaign=results.campaign, competences=results.competences, frame=frame)


def level_gauge(level, max_level):
    """The level as one square a level out of `max_level`, filled up to the level: ■■□□□ for 2 out of 5.

    Text in the level's cell rather than a bar of its own: a box fewer in each of a pupil's 16 rows, the class
    report's largest cost (docs/benchmarks.md, « Issue 14, item 2 »).
    """
    level = max(0, min(level, max_level))
    return "■" * level + "□" * (max_level - level)


def _pupil_pages(results, max_level):
    """One entry per participant of the class, in the frame's order (name)."""
    frame = results.frame
    if frame.empty:
        return []
    priorities = {p["participation_id"]: p["competences"] for p in pupil_priorities(results)}
    to_share = frame[frame["status"] == STATUS.TO_SHARE]
    if not to_share.empty:  # finished but not sent: same rule, so the teacher can prepare the next step
        pending = CampaignResults(results.campaign, results.competences, to_share.assign(status=STATUS.SHARED))
        priorities.update({p["participation_id"]: p["competences"] for p in pupil_priorities(pending)})
    pages = []
    for row in frame.to_dict("records"):
        finished = row["status"] != STATUS.STARTED
        levels = []
        for competence in results.competences:
            code = competence.code
            level = row[f"level:{code}"]
            has = finished and pd.notna(level)
            levels.append(
                {
                    "competence": competence,
                    "level": int(level) if has else None,
                    "pix": int(row[f"pix:{code}"]) if has and pd.notna(row[f"pix:{code}"]) else None,
                    "mastery": int(row[f"mastery:{code}"]) if has and pd.notna(row[f"mastery:{code}"]) else None,
                    "gauge": level_gauge(int(level), max_level) if has else None,
                }
            )
        name = f"{row['last_name']} {row['first_name']}"
        pages.append(
            {
                "name": name,
                "status": row["status"],
                "status_label": STATUS(row["status"]).label,
                "progress": int(row["progress"]),
                "pix": int(row["pix"]) if finished else None,
                "mastery": int(row["mastery"]) if finished and pd.notna(row["mastery"]) else None,
                "levels": levels,
                "priorities": priorities.get(row["participation_id"], []),
            }
        )
    return pages


def build_class_pdf(results, division, analysis, progress=None, today=None, school_name=None):
    """Cover (class profile, collective needs) then one page per pupil."""
    from django.utils.safestring import mark_safe

    results = class_results(results, division)
    campaign = results.campaign
    max_level = max_reachable_level()
    profile = competence_profile(results)
    pupils = _pupil_pages(results, max_level)
    counts = status_counts(results.frame)
    context = {
        "school_name": school_name if school_name is not None else campaign.school.name,
        "campaign": campaign,
        "division": division,
        "today": today or timezone.localdate(),
        "counts": {
            "started": counts[STATUS.STARTED],
            "to_share": counts[STATUS.TO_SHARE],
            "shared": counts[STATUS.SHARED],
            "total": len(results.frame),
        },
        "profile": profile,
        "profile_chart": mark_safe(
            scale_chart_svg(
                [(item["competence"].code, item["mean_level"]) for item in profile],
                maximum=max_level,
                title=f"Niveau moyen par compétence, {division.name}",
            )
        ),
        "needs": [item for item in analysis if item["label"]],
        "pupils": pupils,
        "max_level": max_level,
        "level_range": level_range(),
    }
    return render_pdf("orga/pdf/class_report.html", context, progress)


# --- Producing a requested report ----------------------------------------------------------------


class ReportError(JobError):
    """The report cannot be produced as asked: the job fails with this French message."""


def report_filename(report):
    campaign_part = report.campaign.code
    division_part = f"-{slugify(report.division.name) or report.division_id}" if report.division_id else ""
    prefix = {Report.Kind.CLASS_PDF: "bilan", Report.Kind.SCHOOL_LETTERS: "lettres-familles"}.get(
        report.kind, "resultats"
    )
    return f"{prefix}-{campaign_part}{division_part}.{EXTENSIONS[report.kind]}"


def _requester_membership(report):
    """The requester's membership (None for a superuser), checked again when the file is built."""
    user = report.requested_by
    membership = (
        Membership.objects.filter(school=report.school, user=user, is_active=True).select_related("school").first()
    )
    if not enters_school(user, membership):
        raise ReportError("Vous n'êtes plus membre de cet établissement : l'export n'a pas été produit.")
    return membership


def _school_letters(report, progress):
    """Every class's letters to the guardians, for an admin of the school (orga/campaigns/letters.py)."""
    if not sees_whole_school(report.requested_by, _requester_membership(report)):
        raise ReportError("Les lettres de toutes les classes sont réservées aux administrateurs de l'établissement.")
    pupils = letter_pupils(letter_divisions(report.campaign))
    report.report_progress(5)
    return letters_pdf(report.campaign, report.school, pupils, code_url(), progress=progress)


def _visible_participations(report):
    user = report.requested_by
    membership = _requester_membership(report)
    refusal = class_refusal(user, membership, report.division_id) if report.division_id else ""
    if refusal:
        raise ReportError(refusal)
    participations = participations_visible_to(report.campaign, user, membership)
    if report.division_id:
        participations = participations.filter(pupil__division_id=report.division_id)
    return participations


def build_report(report, output):
    """Write the report's file into `output` (a binary file), updating its progress as it goes. The CSV and the
    workbook read the participants a chunk at a time (`sources.DatabaseSource`) and are written as they are read."""

    def between(start, end):
        return lambda done, total: report.report_progress(start + (end - start) * done / max(total, 1))

    if report.kind == Report.Kind.SCHOOL_LETTERS:
        output.write(_school_letters(report, between(5, 95)))
        return
    if report.kind == Report.Kind.CLASS_PDF and report.division_id is None:
        raise ReportError("Le bilan de classe a besoin d'une classe : choisissez-la et relancez l'export.")
    participations = _visible_participations(report)
    school_name = report.school.name
    if report.kind == Report.Kind.RESULTS_CSV:
        for chunk in csv_chunks(DatabaseSource(report.campaign, participations), school_name):
            output.write(chunk)
        return
    if report.kind == Report.Kind.RESULTS_XLSX:
        report.report_progress(10)
        build_xlsx(DatabaseSource(report.campaign, participations), school_name, between(10, 95), output=output)
        return
    if report.kind == Report.Kind.CLASS_PDF:
        results = campaign_results(report.campaign, participations)
        report.report_progress(30)
        analysis = tube_analysis(results)
        report.report_progress(40)
        pdf = build_class_pdf(results, report.division, analysis, progress=between(40, 95), school_name=school_name)
        output.write(pdf)
        return
    raise ReportError("Type d'export inconnu.")


def _report_work(report):
    """The job's work: build the file in a temporary file, then store it (a crash before this point leaves no
    file)."""
    report = Report.objects.select_related("school", "campaign", "division", "requested_by").get(id=report.id)
    with tempfile.TemporaryFile() as output:
        build_report(report, output)
        report.checkpoint()
        if report.file:
            report.file.delete(save=False)
        output.seek(0)
        report.file.save(f"{report.id}-{report_filename(report)}", File(output), save=False)
    return {"file": report.file.name}


def process_report(report_id, task=None):
    """Build and store a report's file. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(Report, report_id, _report_work, task=task)


def start_report(*, school, campaign, kind, user, division=None):
    """Create the report row and queue its production once committed."""

    with transaction.atomic():
        report = Report.objects.create(
            school=school, campaign=campaign, kind=kind, division=division, requested_by=user
        )
        queue_on_commit(Report.task_name, report.id)
    return report
