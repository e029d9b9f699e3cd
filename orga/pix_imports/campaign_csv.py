"""Pix Orga's results export of an assessment campaign, read back (no Django import).

The layout read here is Pix's, for a school that manages its pupils (pix-facts.md, "Campaigns"): the campaign's
columns, the participant's names and class, progression, start and share date-times (Europe/Paris), "Oui"/"Non",
the overall mastery, then three columns per competence and per area, named by title. Columns are found by their
title, not their place, so that optional ones (an external id, a stage, badges) may sit anywhere.

Also recognised:
- Pix's former layout ("Nom du Profil Cible", "Date de début", "Date du partage", no campaign code nor class):
  read, with a note saying so (without class, pupils are matched by their birth date when the file gives it);
- a profiles collection campaign's export ("Nombre de pix total", "Certifiable (O/N)") and a Pix Certif results
  file: refused, naming what they are.
"""

import re
from dataclasses import dataclass, field

from .csv_reading import (
    PixFileError,
    cell_at,
    count,
    date,
    date_time,
    describe_columns,
    folded,
    name_problem,
    ratio,
    read_columns,
    read_rows,
    refuse_missing,
    yes_no,
)

ORGANISATION = "Nom de l'organisation"
CAMPAIGN_ID = "ID Campagne"
CODE = "Code"
CAMPAIGN_NAME = "Nom de la campagne"
TARGET_PROFILE = "Parcours"
LAST_NAME = "Nom du Participant"
FIRST_NAME = "Prénom du Participant"
DIVISION = "Classe"
PROGRESS = "% de progression"
STARTED_AT = "Date et heure de début (Europe/Paris)"
SHARED = "Partage (O/N)"
SHARED_AT = "Date et heure du partage (Europe/Paris)"
MASTERY = "% maitrise de l'ensemble des acquis du profil"
BIRTHDATE = "Date de naissance"

# Pix's former names of some columns.
FORMER_NAMES = {
    TARGET_PROFILE: "Nom du Profil Cible",
    STARTED_AT: "Date de début",
    SHARED_AT: "Date du partage",
}
REQUIRED = (CAMPAIGN_ID, LAST_NAME, FIRST_NAME, SHARED, MASTERY)
KNOWN = (
    ORGANISATION,
    CAMPAIGN_ID,
    CODE,
    CAMPAIGN_NAME,
    TARGET_PROFILE,
    LAST_NAME,
    FIRST_NAME,
    DIVISION,
    PROGRESS,
    STARTED_AT,
    SHARED,
    SHARED_AT,
    MASTERY,
    BIRTHDATE,
)
PROFILES_COLLECTION_MARKS = ("Nombre de pix total", "Certifiable (O/N)", "Nombre de compétences certifiables")
CERTIFICATION_MARKS = ("Numéro de certification", "Score en Pix")

COMPETENCE_MASTERY = "% de maitrise des acquis de la competence "
COMPETENCE_TARGET = "nombre d'acquis du profil cible dans la competence "
COMPETENCE_VALIDATED = "acquis maitrises dans la competence "
AREA_PREFIXES = ("% de maitrise des acquis du domaine ", "nombre d'acquis du profil cible du domaine ")
AREA_VALIDATED = "acquis maitrises du domaine "
STAGE = re.compile(r"^palier obtenu \(/\d+\)$")
BADGE = re.compile(r" obtenu \(o/n\)$")
INE_HEADER = re.compile(r"\b(ine|identifiant national)\b")
INE = re.compile(r"^(\d{9}[A-Z]{2}|\d{10}[A-Z]|\d{4}[A-Z]\d{5}[A-Z])$")

MAX_NAME = 100
MAX_CAMPAIGN_NAME = 150


@dataclass
class CompetenceMastery:
    ratio: float | None
    target_skills: int | None
    validated_skills: int | None


@dataclass
class ParticipantRow:
    line: int
    last_name: str
    first_name: str
    division: str = ""
    ine: str = ""
    birthdate: object = None  # datetime.date
    shared: bool = False
    progress: float | None = None
    started_at: object = None  # naive datetime, Europe/Paris
    shared_at: object = None
    mastery: float | None = None
    competences: dict = field(default_factory=dict)  # {code: CompetenceMastery}
    error: str = ""


@dataclass
class CampaignExport:
    organisation: str
    campaign_id: int
    code: str
    name: str
    target_profile: str
    competence_codes: list
    rows: list
    notes: list  # what was recognised, in French
    former_layout: bool = False


def _columns(header):
    return {folded(name): index for index, name in enumerate(header)}


def looks_like_ine(value):
    return bool(INE.match((value or "").strip().upper()))


def _refuse_other_files(columns, header):
    if any(folded(mark) in columns for mark in PROFILES_COLLECTION_MARKS):
        raise PixFileError(
            "Ce fichier est l'export d'une campagne de collecte de profils : seuls les résultats des campagnes "
            "d'évaluation s'importent ici (colonnes « % maitrise de l'ensemble des acquis du profil »…).",
            f"Colonnes trouvées : {describe_columns(header)}.",
        )
    if all(folded(mark) in columns for mark in CERTIFICATION_MARKS):
        raise PixFileError(
            "Ce fichier est un export des résultats d'une session de certification (Pix Certif) : importez-le "
            "depuis l'espace Certification, « Importer des résultats de Pix Certif »."
        )


def _find(columns, name):
    index = columns.get(folded(name))
    if index is None and name in FORMER_NAMES:
        index = columns.get(folded(FORMER_NAMES[name]))
    return index


def _competence_columns(header, competence_titles):
    """{code: (mastery, target, validated column indexes)} and notes on the columns not understood."""
    by_title = {folded(title): code for title, code in competence_titles.items()}
    found, notes, unknown = {}, [], []
    for index, name in enumerate(header):
        key = folded(name)
        for prefix, slot in ((COMPETENCE_MASTERY, 0), (COMPETENCE_TARGET, 1), (COMPETENCE_VALIDATED, 2)):
            if key.startswith(folded(prefix) + " "):
                title = key[len(folded(prefix)) :].strip()
                code = by_title.get(title)
                if code is None:
                    unknown.append(name[len(prefix) :].strip() or name)
                else:
                    found.setdefault(code, [None, None, None])[slot] = index
    if unknown:
        names = ", ".join(sorted({f"« {title[:80]} »" for title in unknown}))
        notes.append(f"Compétences inconnues du cadre de référence, leurs colonnes sont ignorées : {names}.")
    return {code: tuple(slots) for code, slots in found.items() if slots[0] is not None}, notes


def _ignored_columns(header, used):
    ignored = []
    for index, name in enumerate(header):
        key = folded(name)
        if index in used or not key:
            continue
        if key.startswith(AREA_PREFIXES) or key.startswith(AREA_VALIDATED) or STAGE.match(key) or BADGE.search(key):
            continue  # Pix's own columns that pixdeploy recomputes or does not keep
        ignored.append(name)
    return ignored


def read_campaign_export(data, competence_titles):
    """Read Pix Orga's export (bytes) into a CampaignExport; PixFileError when the file is not one.

    `competence_titles`: {title: code} of the framework's competences, to read the columns named by title.
    A row that cannot be read keeps its line and an `error`; the file is refused only for what concerns it all.
    """
    header, rows = read_rows(data)
    columns = _columns(header)
    _refuse_other_files(columns, header)
    index = {name: _find(columns, name) for name in KNOWN}
    missing = [name for name in REQUIRED if index[name] is None]
    if missing:
        refuse_missing(header, missing, "un export des résultats d'une campagne d'évaluation de Pix Orga")
    notes = []
    former = any(columns.get(folded(old)) is not None for old in FORMER_NAMES.values())
    if former:
        notes.append(
            "Présentation ancienne de l'export de Pix Orga reconnue (« Nom du Profil Cible », « Date de début », "
            "« Date du partage ») : elle est lue, mais sans code de campagne ni classe."
        )
    competence_index, competence_notes = _competence_columns(header, competence_titles)
    notes += competence_notes
    if not competence_index:
        raise PixFileError(
            "Ce fichier ne contient aucune colonne de résultat par compétence (« % de maitrise des acquis de la "
            "compétence … ») : exportez les résultats de la campagne depuis Pix Orga, onglet « Résultats ».",
            f"Colonnes trouvées : {describe_columns(header)}.",
        )
    ine_index = next((i for i, name in enumerate(header) if INE_HEADER.search(folded(name))), None)
    used = {i for i in index.values() if i is not None} | {i for slots in competence_index.values() for i in slots}
    if ine_index is not None:
        used.add(ine_index)
        notes.append(f"La colonne « {header[ine_index][:60]} » est lue comme l'INE des élèves.")
    if index[DIVISION] is None:
        notes.append("Le fichier n'a pas de colonne « Classe » : les élèves sont reconnus sans leur classe.")
    ignored = _ignored_columns(header, used)
    if ignored:
        notes.append(f"Colonnes ignorées : {describe_columns(ignored, limit=6)}.")

    campaign_ids, organisations, participants = set(), set(), []
    first = rows[0][1] if rows else []
    for line, cells in rows:
        campaign_ids.add(cell_at(cells, index[CAMPAIGN_ID]))
        organisations.add(cell_at(cells, index[ORGANISATION]))
        participants.append(_participant(line, cells, index, competence_index, ine_index))
    if not participants:
        raise PixFileError("Le fichier ne contient aucun participant : seule la ligne des titres est présente.")
    if len(campaign_ids) > 1:
        raise PixFileError(
            "Le fichier mélange plusieurs campagnes (colonne « ID Campagne ») : importez l'export d'une seule "
            "campagne à la fois."
        )
    campaign_id = campaign_ids.pop()
    if not campaign_id.isdigit() or len(campaign_id) > 9:
        raise PixFileError(f"L'identifiant de campagne « {campaign_id[:20]} » n'est pas un nombre.")
    if len(organisations) > 1:
        raise PixFileError("Le fichier mélange plusieurs organisations (colonne « Nom de l'organisation »).")
    name = cell_at(first, index[CAMPAIGN_NAME]) or f"Campagne Pix n° {campaign_id}"
    if len(name) > MAX_CAMPAIGN_NAME:
        raise PixFileError(f"Le nom de la campagne dépasse {MAX_CAMPAIGN_NAME} caractères.")
    return CampaignExport(
        organisation=organisations.pop(),
        campaign_id=int(campaign_id),
        code=cell_at(first, index[CODE])[:20],
        name=name,
        target_profile=cell_at(first, index[TARGET_PROFILE])[:255],
        competence_codes=sorted(competence_index),
        rows=participants,
        notes=notes,
        former_layout=former,
    )


def _participant(line, cells, index, competence_index, ine_index):
    row = ParticipantRow(
        line=line,
        last_name=cell_at(cells, index[LAST_NAME]),
        first_name=cell_at(cells, index[FIRST_NAME]),
        division=cell_at(cells, index[DIVISION]),
    )
    candidate_ine = cell_at(cells, ine_index).upper()
    row.ine = candidate_ine if looks_like_ine(candidate_ine) else ""
    row.error = name_problem((("nom", row.last_name), ("prénom", row.first_name)), "participant", MAX_NAME)
    if not row.error and len(row.division) > 50:
        row.error = "la classe dépasse 50 caractères"
    if row.error:
        return row
    readers = [
        (SHARED, index[SHARED], yes_no),
        (BIRTHDATE, index[BIRTHDATE], date),
        (STARTED_AT, index[STARTED_AT], date_time),
        (SHARED_AT, index[SHARED_AT], date_time),
        (PROGRESS, index[PROGRESS], ratio),
        (MASTERY, index[MASTERY], ratio),
    ]
    for code, (mastery, target, validated) in competence_index.items():
        readers += [(f"compétence {code}", mastery, ratio), (f"compétence {code}", target, count)]
        readers += [(f"compétence {code}", validated, count)]
    try:
        values = read_columns(cells, readers)
    except ValueError as error:
        row.error = str(error)
        return row
    row.shared, row.birthdate, row.started_at, row.shared_at, row.progress, row.mastery = values[:6]
    for number, code in enumerate(competence_index):
        row.competences[code] = CompetenceMastery(*values[6 + 3 * number : 9 + 3 * number])
    if row.shared and row.mastery is None and all(c.ratio is None for c in row.competences.values()):
        row.error = "résultats partagés mais sans aucune valeur (« NA »)"
    return row


def estimated_result(mastery, max_level, pix_per_level=8):
    """(pix, level) of a competence from Pix's mastery ratio of the target profile's skills in it.

    Pix's export gives the share of the target profile's skills validated in the competence, not which skills,
    so the pix (the sum of the validated skills' pix) cannot be recomputed. The estimate reads the ratio as the
    share of the levels open to pupils that is reached: pix = floor(ratio × max_level × 8), level = pix // 8
    (0,5 with levels up to 5 → 20 pix, level 2; 1 → 40 pix, level 5). It is exact for a profile that tests every
    level of the competence evenly and lower for one that stops below the highest level; the stored ratio
    (`pix_mastery`) keeps Pix's own figure for the results pages.
    """
    if mastery is None:
        return 0, 0
    pix = int(mastery * max_level * pix_per_level + 1e-9)
    return pix, min(pix // pix_per_level, max_level)
