"""Which of the school's pupils a row of a Pix export is (no Django import).

In this order, the first key the row gives that finds exactly one pupil decides:
1. the INE, when the row has one (Pix Certif's external id, or an INE column someone added);
2. last name, first name and class;
3. last name, first name and birth date.
Names compare as `orga.pupils.names` reads them; the last name may be the birth name or the preferred one. A birth
date alone never decides (a class has several pupils born the same day): it completes the names when the file has
no class (Pix Certif's file) or the class changed since.
A key that finds two pupils matches none (the reason says so), and a pupil already given to an earlier row of
the file is not given again.
"""

from dataclasses import dataclass

from orga.pupils.names import normalized_name

BY_INE, BY_CLASS, BY_BIRTHDATE = "ine", "class", "birthdate"
METHOD_LABELS = {
    BY_INE: "par l'INE",
    BY_CLASS: "par le nom, le prénom et la classe",
    BY_BIRTHDATE: "par le nom, le prénom et la date de naissance",
}


@dataclass(frozen=True)
class PupilRef:
    id: int
    ine: str
    last_names: tuple  # the birth name and the preferred name
    first_name: str
    division: str
    birthdate: object  # datetime.date


@dataclass(frozen=True)
class RowIdentity:
    last_name: str
    first_name: str
    division: str = ""
    ine: str = ""
    birthdate: object = None
    line: int = 0


@dataclass(frozen=True)
class Match:
    pupil_id: int | None
    method: str = ""
    reason: str = ""


def _index(pupils):
    by_ine, by_class, by_birthdate = {}, {}, {}
    for pupil in pupils:
        if pupil.ine:
            by_ine.setdefault(pupil.ine.upper(), set()).add(pupil.id)
        first = normalized_name(pupil.first_name)
        for last in {normalized_name(name) for name in pupil.last_names if name}:
            if pupil.division:
                by_class.setdefault((last, first, normalized_name(pupil.division)), set()).add(pupil.id)
            if pupil.birthdate:
                by_birthdate.setdefault((last, first, pupil.birthdate), set()).add(pupil.id)
    return by_ine, by_class, by_birthdate


def match_rows(rows, pupils):
    """[Match] for each RowIdentity of `rows`, in order, against the PupilRefs `pupils`."""
    by_ine, by_class, by_birthdate = _index(pupils)
    taken = {}
    matches = []
    for number, row in enumerate(rows):
        last, first = normalized_name(row.last_name), normalized_name(row.first_name)
        keys = []
        if row.ine:
            keys.append((BY_INE, by_ine.get(row.ine.upper(), set())))
        if row.division:
            keys.append((BY_CLASS, by_class.get((last, first, normalized_name(row.division)), set())))
        if row.birthdate:
            keys.append((BY_BIRTHDATE, by_birthdate.get((last, first, row.birthdate), set())))
        match = _decide(keys, row)
        if match.pupil_id is not None:
            if match.pupil_id in taken:
                match = Match(None, reason=f"élève déjà reconnu à la ligne {taken[match.pupil_id]} du fichier")
            else:
                taken[match.pupil_id] = row.line or number + 1
        matches.append(match)
    return matches


def _decide(keys, row):
    ambiguous = None
    for method, found in keys:
        if len(found) == 1:
            return Match(next(iter(found)), method=method)
        if len(found) > 1 and ambiguous is None:
            ambiguous = method
    if ambiguous:
        return Match(None, reason=f"plusieurs élèves correspondent ({METHOD_LABELS[ambiguous]})")
    if not keys:
        return Match(None, reason="ni INE, ni classe, ni date de naissance pour reconnaître l'élève")
    tried = " ni ".join(METHOD_LABELS[method] for method, _found in keys)
    return Match(None, reason=f"aucun élève actif de l'établissement ne correspond ({tried})")
