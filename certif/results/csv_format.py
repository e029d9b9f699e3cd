"""The certification results CSV, cell for cell as Pix Certif writes it (session file and per-class file).

Pure Python, no Django: the results models will build `CertificationRow`s and send the text returned here.
The layout follows Pix's own export so that a school reading both sees the same file: `;` between cells, a
BOM first, text in double quotes (an inner quote doubled), integers bare, `\\n` between lines and none after
the last. The session file has a "Centre de certification" column, the class file does not. Status rules:
a rejected certification scores 0, a cancelled or failed one "-"; levels show only when validated (a
negative level written 0, a competence without a mark "-"); the band ("Niveau") only when validated.

Formula defusing (documents/cells.py) applies to text that comes from people: names, birth place, external
id, jury comment and centre name. It does not apply to the fixed "-" markers Pix writes for "no value" (no
band, cancelled score, competence without a mark) nor to our labels: those must stay exactly as Pix writes
them, and being ours they carry no formula.
"""

import dataclasses
import datetime

from documents.cells import defuse
from documents.filenames import download_filename

BOM = "\ufeff"
SEPARATOR = ";"
NEWLINE = "\n"
NO_VALUE = "-"
CERTIFICATION_TYPE = "Pix"
COMPETENCE_CODES = (
    "1.1", "1.2", "1.3",
    "2.1", "2.2", "2.3", "2.4",
    "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3",
    "5.1", "5.2",
)  # fmt: skip

VALIDATED, REJECTED, CANCELLED, ERROR = "validated", "rejected", "cancelled", "error"
STATUS_LABELS = {
    VALIDATED: "Validée",
    REJECTED: "Non obtenue",
    CANCELLED: "Annulée",
    ERROR: "En erreur",
}
# Pix writes a typographic apostrophe (U+2019) in this header.
COMMENT_HEADER = "Commentaire jury pour l\u2019organisation"
CENTRE_HEADER = "Centre de certification"
HEADERS_BEFORE_COMPETENCES = (
    "Numéro de certification",
    "Prénom",
    "Nom",
    "Date de naissance",
    "Lieu de naissance",
    "Identifiant Externe",
    "Type de certification",
    "Statut",
    "Niveau",
    "Score en Pix",
)


@dataclasses.dataclass(frozen=True)
class CertificationRow:
    """One candidate's certification, as the results CSV needs it."""

    certification_number: int
    first_name: str
    last_name: str
    birth_date: datetime.date
    birth_place: str | None
    external_id: str | None  # the INE for a pupil
    status: str  # VALIDATED, REJECTED, CANCELLED or ERROR
    level_band: str | None  # "Novice 1" … "Expert 2", None below the first band
    pix_score: int
    competence_levels: dict  # {"1.1": level or None}; a competence absent or None has no mark
    comment_for_organisation: str | None
    session_number: int
    taken_on: datetime.date


class Raw(str):
    """A fixed value of ours written in quotes but never defused (the "-" markers, labels)."""


def _cell(value):
    # A missing value is an empty cell without quotes, as in Pix's file (`0;0;;777`).
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a results cell is never a boolean")
    if isinstance(value, int):
        return str(value)
    text = value if isinstance(value, Raw) else defuse(value)
    return '"' + text.replace('"', '""') + '"'


def _date(value):
    return Raw(value.strftime("%d/%m/%Y"))


def _level_band(row):
    # Pix shows a band only for a validated certification, "-" below the first band and otherwise.
    if row.status == VALIDATED and row.level_band:
        return Raw(row.level_band)
    return Raw(NO_VALUE)


def _score(row):
    if row.status in (CANCELLED, ERROR):
        return Raw(NO_VALUE)
    if row.status == REJECTED:
        return 0
    return row.pix_score


def _competence(row, code):
    level = row.competence_levels.get(code)
    if level is None or row.status != VALIDATED:
        return Raw(NO_VALUE)
    return max(level, 0)


def _values(row, *, centre):
    if row.status not in STATUS_LABELS:
        raise ValueError(f"statut de certification inconnu : {row.status!r}")
    values = [
        row.certification_number,
        row.first_name,
        row.last_name,
        _date(row.birth_date),
        row.birth_place,
        row.external_id,
        Raw(CERTIFICATION_TYPE),
        Raw(STATUS_LABELS[row.status]),
        _level_band(row),
        _score(row),
        *(_competence(row, code) for code in COMPETENCE_CODES),
        row.comment_for_organisation,
        row.session_number,
    ]
    if centre is not None:
        values.append(centre)
    values.append(_date(row.taken_on))
    return values


def _headers(*, centre):
    headers = [*HEADERS_BEFORE_COMPETENCES, *COMPETENCE_CODES, COMMENT_HEADER, "Session"]
    if centre is not None:
        headers.append(CENTRE_HEADER)
    headers.append("Date de passage de la certification")
    return [Raw(header) for header in headers]


def _text(rows, *, centre):
    lines = [_headers(centre=centre)]
    lines += [_values(row, centre=centre) for row in rows]
    return BOM + NEWLINE.join(SEPARATOR.join(_cell(value) for value in line) for line in lines)


def session_results_csv(rows, *, centre):
    """The text of a session's results file: every column, "Centre de certification" (`centre`) included."""
    return _text(rows, centre=str(centre or ""))


def division_results_csv(rows):
    """The text of a class's results file: the session file without "Centre de certification"."""
    return _text(rows, centre=None)


def session_results_filename(session_number, starts_at):
    """`YYYYMMDD_HHmm_resultats_session_{number}.csv`, dated by the session's scheduled start."""
    return f"{starts_at:%Y%m%d_%H%M}_resultats_session_{int(session_number)}.csv"


def division_results_filename(division, day):
    """`YYYYMMDD_resultats_{class}.csv`, dated by the day of the download; the class name made safe.

    The name starts with the date, so no formula can ride on it; what the class name could carry (quotes,
    separators, line breaks) is removed by `download_filename`.
    """
    return f"{day:%Y%m%d}_resultats_{download_filename(division, default='classe')}.csv"
