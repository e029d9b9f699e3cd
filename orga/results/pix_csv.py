"""A campaign's results CSV, column for column and value for value as Pix Orga exports an assessment campaign
for a school that manages its pupils (no Django import).

Teachers keep spreadsheets and scripts built on Pix's file, so ours has Pix's columns, names and formats; the
importer of Pix's files (issue 13) reads the same header through `header`.

The file: a BOM, the header, then one line per participant sorted by family name (the official one, not the
name of use), first name and latest start, `;` between cells and `\\n` after every line, the last one too.
Text is written in double quotes (an inner quote doubled) and defused like every export of ours
(documents/cells.py); text made only of digits and hyphens, and numbers, are written bare, a number with a
decimal comma. The columns:

- Pix's 13: organisation, campaign id, code and name, the target profile ("Parcours"), the participant's last
  and first names, the class, the progress (1 once the test is finished, else the share of it done, 3 decimals),
  the start, "Oui"/"Non" for sent results, the sending date (date-times "DD/MM/YYYY HH:mm" in Europe/Paris),
  the mastery of the whole profile (a ratio, 2 decimals);
- per competence of the profile, in framework order, named by its title: mastery ratio, target skills, skills
  mastered; then per area of those competences, named by its title, the same three over the area's competences;
- then pixdeploy's own: per competence, level and pix (named as Pix names them in its profiles export).

Pix has no optional column to add here: pixdeploy has no external id, stages ("Palier obtenu (/N)") or badges
("… obtenu (O/N)"). Until a participant sends their results, everything after the sending column is "NA".
Ratios are rounded half up on the exact fraction, as Pix rounds them.

Two differences remain, on purpose: an unfinished test's progress is pixdeploy's (answers given over about 8
a competence, as the Résultats tab shows it), not Pix's skills assessed over target skills; and only each
pupil's current participation is listed, where Pix also lists those a re-participation replaced.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from documents.cells import defuse

BOM = "\ufeff"
SEPARATOR = ";"
NEWLINE = "\n"
NOT_AVAILABLE = "NA"
YES, NO = "Oui", "Non"
PARIS = ZoneInfo("Europe/Paris")
DATE_TIME = "%d/%m/%Y %H:%M"
# A finished test is complete; an unfinished one never shows more than this, however many answers it has.
MAX_PROGRESS_UNFINISHED = Decimal("0.99")

BASE_HEADER = (
    "Nom de l'organisation",
    "ID Campagne",
    "Code",
    "Nom de la campagne",
    "Parcours",
    "Nom du Participant",
    "Prénom du Participant",
    "Classe",
    "% de progression",
    "Date et heure de début (Europe/Paris)",
    "Partage (O/N)",
    "Date et heure du partage (Europe/Paris)",
    "% maitrise de l'ensemble des acquis du profil",  # sic: Pix writes "maitrise" without its accent
)
_BARE = re.compile(r"[0-9-]+")


def competence_header(title):
    """Pix's three columns of one competence."""
    return [
        f"% de maitrise des acquis de la compétence {title}",
        f"Nombre d'acquis du profil cible dans la compétence {title}",
        f"Acquis maitrisés dans la compétence {title}",
    ]


def area_header(title):
    """Pix's three columns of one area (domaine)."""
    return [
        f"% de maitrise des acquis du domaine {title}",
        f"Nombre d'acquis du profil cible du domaine {title}",
        f"Acquis maitrisés du domaine {title}",
    ]


def level_header(title):
    """pixdeploy's two columns of one competence, after Pix's."""
    return [f"Niveau pour la compétence {title}", f"Nombre de pix pour la compétence {title}"]


def header(competences, areas, *, with_levels=False):
    """The column names: Pix's, for these competence titles and area titles (each in framework order), then
    pixdeploy's level and pix per competence when `with_levels`."""
    columns = list(BASE_HEADER)
    for title in competences:
        columns += competence_header(title)
    for title in areas:
        columns += area_header(title)
    if with_levels:
        for title in competences:
            columns += level_header(title)
    return columns


# --- Values ---------------------------------------------------------------------------------------


def ratio(part, whole, places=2):
    """part / whole rounded half up to `places` decimals (0 when there is nothing to master)."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def progress(finished, answered, expected):
    """1 for a finished test; else the share of the expected answers given, 3 decimals, below 1."""
    if finished:
        return Decimal(1)
    return min(ratio(answered, expected, places=3), MAX_PROGRESS_UNFINISHED)


def paris_time(moment):
    """An aware date-time as Pix writes it: "DD/MM/YYYY HH:mm" in Paris."""
    return moment.astimezone(PARIS).strftime(DATE_TIME)


def number_text(value):
    """A number as Pix writes it: no trailing zero, a decimal comma (0,5; 0,67; 1; 12)."""
    if isinstance(value, bool):
        raise TypeError("a results cell is never a boolean")
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",", 1)


def cell(value):
    """One cell: numbers bare, text in quotes and defused, except text of digits and hyphens only."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_text(value)
    if not isinstance(value, str):
        raise TypeError(f"a results cell is a number or text, not {type(value).__name__}")
    if _BARE.fullmatch(value):
        return value
    return '"' + defuse(value).replace('"', '""') + '"'


def name_key(name):
    """A name as a sort key: case and accents ignored, so that "Élodie" sorts with the E's, as Pix's list does."""
    letters = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in letters if not unicodedata.combining(c)).casefold()


def line(values):
    return SEPARATOR.join(cell(value) for value in values) + NEWLINE


# --- The campaign and its participants ------------------------------------------------------------


@dataclass(frozen=True)
class Competence:
    code: str
    title: str
    area: str  # its area's title
    skills: int  # the target profile's skills in this competence


@dataclass(frozen=True)
class Campaign:
    """What every line repeats, and the profile's competences in framework order."""

    organisation: str
    id: int
    code: str
    name: str
    target_profile: str
    competences: tuple

    def areas(self):
        """[(area title, [its competences])], in the competences' order."""
        areas = {}
        for competence in self.competences:
            areas.setdefault(competence.area, []).append(competence)
        return list(areas.items())

    def header(self, *, with_levels=True):
        return header(
            [c.title for c in self.competences], [title for title, _ in self.areas()], with_levels=with_levels
        )


@dataclass(frozen=True)
class Participant:
    last_name: str
    first_name: str
    division: str
    started_at: datetime  # aware
    finished: bool  # the test is over (results sent or not)
    answered: int
    expected: int  # the answers a whole test takes, for an unfinished one's progress
    shared_at: datetime | None = None  # None until the results are sent
    validated: dict = field(default_factory=dict)  # {competence code: target skills mastered}
    levels: dict = field(default_factory=dict)  # {competence code: (level, pix)}


def _stats(validated, skills):
    return [ratio(validated, skills), skills, validated]


def values(campaign, participant, *, with_levels=True):
    """The cells of one participant's line, in the header's order."""
    shared = participant.shared_at is not None
    competences = campaign.competences
    cells = [
        campaign.organisation,
        campaign.id,
        campaign.code,
        campaign.name,
        campaign.target_profile,
        participant.last_name,
        participant.first_name,
        participant.division,
        progress(participant.finished, participant.answered, participant.expected),
        paris_time(participant.started_at),
        YES if shared else NO,
    ]
    area_count = len(campaign.areas())
    if not shared:
        later = 2 + 3 * len(competences) + 3 * area_count + (2 * len(competences) if with_levels else 0)
        return cells + [NOT_AVAILABLE] * later
    validated = {c.code: participant.validated.get(c.code) or 0 for c in competences}
    cells.append(paris_time(participant.shared_at))
    cells.append(ratio(sum(validated.values()), sum(c.skills for c in competences)))
    for competence in competences:
        cells += _stats(validated[competence.code], competence.skills)
    for _, members in campaign.areas():
        cells += _stats(sum(validated[c.code] for c in members), sum(c.skills for c in members))
    if with_levels:
        for competence in competences:
            level, pix = participant.levels.get(competence.code, (None, None))
            cells += [NOT_AVAILABLE if level is None else level, NOT_AVAILABLE if pix is None else pix]
    return cells


def lines(campaign, participants, *, with_levels=True):
    """The file's text, line by line (the BOM on the first): to join, or to stream."""
    yield BOM + line(campaign.header(with_levels=with_levels))
    for participant in participants:
        yield line(values(campaign, participant, with_levels=with_levels))


def text(campaign, participants, *, with_levels=True):
    return "".join(lines(campaign, participants, with_levels=with_levels))
