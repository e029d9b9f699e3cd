"""Pix Certif's results file of a session, read back (no Django import).

The layout is Pix Certif's (pix-facts.md, "Certification (Pix Certif)"): "Numéro de certification", names, birth
date and place, "Identifiant Externe", "Type de certification", "Statut" (Validée, Non obtenue, Annulée, En
erreur), "Niveau" (the certificate's band), "Score en Pix", one column per competence code (1.1 … 5.2, "-" for no
mark), the jury's comment, "Session", "Centre de certification" (absent from the per-class file) and the date.
Columns are found by title. Pix Certif's former layout ("Résultat" for the score, no "Niveau") is read, the band
computed from the score; a Pix Orga campaign export is refused, naming it.
"""

import datetime
from dataclasses import dataclass, field

from crcn.scoring import CERTIFICATION_BANDS, HIGHEST_LEVEL, certification_level, max_total_pix
from orga.pix_imports.campaign_csv import looks_like_ine
from orga.pix_imports.csv_reading import (
    PixFileError,
    cell_at,
    date,
    describe_columns,
    folded,
    is_missing,
    name_problem,
    read_columns,
    read_rows,
    refuse_missing,
)

NUMBER = "Numéro de certification"
FIRST_NAME = "Prénom"
LAST_NAME = "Nom"
BIRTHDATE = "Date de naissance"
BIRTHPLACE = "Lieu de naissance"
EXTERNAL_ID = "Identifiant Externe"
TYPE = "Type de certification"
STATUS = "Statut"
LEVEL = "Niveau"
SCORE = "Score en Pix"
COMMENT = "Commentaire jury pour l'organisation"
SESSION = "Session"
CENTRE = "Centre de certification"
TAKEN_ON = "Date de passage de la certification"
FORMER_SCORE = "Résultat"
COMPETENCE_CODES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2",
                    "4.3", "5.1", "5.2")  # fmt: skip
REQUIRED = (NUMBER, FIRST_NAME, LAST_NAME, BIRTHDATE, STATUS, SCORE, SESSION, TAKEN_ON)
KNOWN = (*REQUIRED, BIRTHPLACE, EXTERNAL_ID, TYPE, LEVEL, COMMENT, CENTRE)

VALIDATED, REJECTED, CANCELLED = "validated", "rejected", "cancelled"  # crcn.certification's statuses
STATUSES = {"validee": VALIDATED, "non obtenue": REJECTED, "rejetee": REJECTED, "annulee": CANCELLED}
IN_ERROR = "en erreur"
BANDS = {folded(label): level for _lowest, level, label in CERTIFICATION_BANDS} | {"-": 0, "": 0}
MAX_NAME, MAX_COMMENT = 100, 500


@dataclass
class CertificationRow:
    line: int
    number: int | None
    first_name: str
    last_name: str
    birthdate: datetime.date | None = None
    ine: str = ""
    status: str = ""
    level: int = 0
    level_label: str = "-"
    pix_score: int = 0
    competence_levels: dict = field(default_factory=dict)  # {"1.1": 3}
    comment: str = ""
    session: int | None = None
    centre: str = ""
    taken_on: datetime.date | None = None
    error: str = ""


@dataclass
class SessionResults:
    rows: list
    centres: list
    notes: list


def _integer(value):
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        raise ValueError(value)
    return int(value)


def _score(value):
    return 0 if is_missing(value) else _integer(value)


def _level(value):
    """A competence's level: "-" (no mark) None, a negative one 0."""
    return None if is_missing(value) else max(0, int(value))


def read_session_results(data, max_level):
    """Read Pix Certif's results file (bytes); PixFileError when it is not one. A row that cannot be read keeps
    its line and an `error`. `max_level`: the highest level open, to compute the band of an older layout."""
    header, rows = read_rows(data)
    columns = {folded(name): index for index, name in enumerate(header)}
    if folded("ID Campagne") in columns:
        raise PixFileError(
            "Ce fichier est l'export des résultats d'une campagne (Pix Orga) : importez-le depuis « Importer les "
            "résultats d'une campagne Pix », dans l'espace de l'établissement."
        )
    index = {name: columns.get(folded(name)) for name in KNOWN}
    if index[SCORE] is None:  # Pix Certif's former layout: "Résultat" (the score), no "Niveau"
        index[SCORE] = columns.get(folded(FORMER_SCORE))
    missing = [name for name in REQUIRED if index[name] is None]
    if missing:
        refuse_missing(header, missing, "un export des résultats d'une session de Pix Certif")
    competences = {code: columns[code] for code in COMPETENCE_CODES if code in columns}
    notes = []
    if len(competences) < len(COMPETENCE_CODES):
        absent = [code for code in COMPETENCE_CODES if code not in competences]
        if not competences:
            raise PixFileError(
                "Ce fichier n'a aucune colonne de niveau par compétence (« 1.1 » … « 5.2 »).",
                f"Colonnes trouvées : {describe_columns(header)}.",
            )
        notes.append(f"Compétences absentes du fichier, sans niveau importé : {', '.join(absent)}.")
    if index[LEVEL] is None:
        notes.append(
            "Présentation ancienne de Pix Certif reconnue (sans colonne « Niveau », le score dans « Résultat » ou "
            "« Score en Pix ») : le niveau global est calculé à partir du score."
        )
    if index[CENTRE] is None:
        notes.append("Fichier d'une classe (sans « Centre de certification ») : il est lu comme celui d'une session.")
    parsed = [_row(line, cells, index, competences, max_level) for line, cells in rows]
    if not parsed:
        raise PixFileError("Le fichier ne contient aucun candidat : seule la ligne des titres est présente.")
    centres = sorted({row.centre for row in parsed if row.centre})
    return SessionResults(rows=parsed, centres=centres, notes=notes)


def _row(line, cells, index, competences, max_level):
    row = CertificationRow(
        line=line, number=None, first_name=cell_at(cells, index[FIRST_NAME]), last_name=cell_at(cells, index[LAST_NAME])
    )
    row.centre = cell_at(cells, index[CENTRE])[:255]
    external_id = cell_at(cells, index[EXTERNAL_ID]).upper()
    row.ine = external_id if looks_like_ine(external_id) else ""
    readers = [
        (NUMBER, index[NUMBER], _integer),
        (SESSION, index[SESSION], _integer),
        (BIRTHDATE, index[BIRTHDATE], date),
        (TAKEN_ON, index[TAKEN_ON], date),
        (SCORE, index[SCORE], _score),
    ] + [(code, position, _level) for code, position in competences.items()]
    try:
        values = read_columns(cells, readers)
    except ValueError as error:
        row.error = str(error)
        return row
    row.number, row.session, row.birthdate, row.taken_on, row.pix_score = values[:5]
    row.competence_levels = {
        code: level for code, level in zip(competences, values[5:], strict=True) if level is not None
    }
    row.error = _refusal(row, cells, index, max_level)
    return row


def _refusal(row, cells, index, max_level):
    """Why the row cannot be imported ("" when it can); sets the status and the band."""
    names = name_problem((("nom", row.last_name), ("prénom", row.first_name)), "candidat", MAX_NAME)
    if names:
        return names
    if row.taken_on is None:
        return "la date de passage est vide"
    if not row.number:
        return "le numéro de certification est 0"
    if row.pix_score > max_total_pix(HIGHEST_LEVEL):
        return f"score de {row.pix_score} pix au-delà du maximum de Pix ({max_total_pix(HIGHEST_LEVEL)})"
    for code, level in row.competence_levels.items():
        if level > HIGHEST_LEVEL:
            return f"niveau {level} en {code} au-delà du niveau le plus haut de Pix ({HIGHEST_LEVEL})"
    kind = cell_at(cells, index[TYPE])
    if kind and folded(kind) != "pix":
        return f"certification « {kind[:40]} » : seule la certification Pix s'importe"
    status = folded(cell_at(cells, index[STATUS]))
    if status == IN_ERROR:
        return "certification « En erreur » chez Pix : rien à importer tant que Pix ne l'a pas traitée"
    if status not in STATUSES:
        return f"statut « {cell_at(cells, index[STATUS])[:30]} » inconnu"
    row.status = STATUSES[status]
    row.comment = cell_at(cells, index[COMMENT])
    if len(row.comment) > MAX_COMMENT:
        return f"le commentaire du jury dépasse {MAX_COMMENT} caractères"
    if index[LEVEL] is None:
        row.level, row.level_label = certification_level(row.pix_score, max_level)
    else:
        label = cell_at(cells, index[LEVEL])
        if folded(label) not in BANDS:
            return f"niveau « {label[:30]} » inconnu"
        row.level, row.level_label = BANDS[folded(label)], label if folded(label) not in ("", "-") else "-"
    if row.status != VALIDATED:
        row.competence_levels = {}
    return ""
