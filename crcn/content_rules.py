"""Rules of the challenge bank files (crcn/content/<code>.json), as plain functions (no Django import).

One file a competence, versioned with the code:

    {"competence": "1.1", "version": 1,
     "tubes": [{"code", "title", "description",
                "tutorials": [{"code", "title", "url", "duration_minutes", "format", "source", "level"}],
                "skills": [{"code": "@<tube code><level>", "level",
                            "challenges": [{"code", "type", "instruction", "proposals", "solution",
                                            "explanation", "illustration", "illustration_alt", "attachment"}]}]}]}

A tutorial's `level` (1 to 8) is the CRCN level it helps reach. Besides the shape of each item, the bank as a
whole must hold:
- at least 2 challenges for every skill of levels 1 to 6 (in certification, neighbours in a room must not see
  the same questions);
- in every competence, and in the whole bank, at most 1 single choice (qcu) question in 3 whose right answer is
  the longest proposal (`longest_answer_bias`): otherwise "pick the longest" is a winning strategy.

`validate_content` returns every problem found, in French, naming the file and the item, so that the
person who edits the bank fixes all of them at once. `pix_values` shares the 8 pix of a level among the
skills of that level in a competence.
"""

import json
import re
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

from .answers import normalize

CRCN_DIR = Path(__file__).resolve().parent
CONTENT_DIR = CRCN_DIR / "content"
STATIC_DIR = CRCN_DIR / "static"
FRAMEWORK_FILE = CRCN_DIR / "data" / "crcn.json"

PIX_PER_LEVEL = 8
LOWEST_LEVEL, HIGHEST_LEVEL = 1, 8
REQUIRED_LEVELS = range(1, 7)  # every competence has skills at levels 1 to 6
MIN_CHALLENGES_PER_SKILL = 2  # at levels 1 to 6: the certification gives neighbours different questions
MAX_LONGEST_RIGHT = Fraction(1, 3)  # of the single choice questions, in a competence and in the whole bank
TOTAL = "total"
MIN_TUBES = 3
TUTORIAL_FORMATS = ("video", "page", "pdf", "exercise")
CHALLENGE_TYPES = ("qcu", "qcm", "qroc")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

FILE_FIELDS = {"competence": str, "version": int, "tubes": list}
TUBE_FIELDS = {"code": str, "title": str, "description": str, "tutorials": list, "skills": list}
TUTORIAL_FIELDS = {
    "code": str,
    "title": str,
    "url": str,
    "duration_minutes": int,
    "format": str,
    "source": str,
    "level": int,
}
SKILL_FIELDS = {"code": str, "level": int, "challenges": list}
CHALLENGE_FIELDS = {
    "code": str,
    "type": str,
    "instruction": str,
    "proposals": list,
    "solution": (int, list),
    "explanation": str,
    "illustration": str,
    "illustration_alt": str,
    "attachment": str,
}
OPTIONAL = {"description", "source", "proposals", "illustration", "illustration_alt", "attachment"}
MAX_LENGTHS = {"code": 80, "title": 200, "url": 500, "source": 100, "illustration": 200, "attachment": 200}
MAX_ALT = 500
TYPE_NAMES = {str: "un texte", int: "un nombre entier", list: "une liste", (int, list): "un nombre ou une liste"}


class ContentError(Exception):
    """The bank files break the rules: `errors` lists every problem, in French."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def read_content(directory=CONTENT_DIR):
    """{file name: parsed data} for every *.json of the directory; unreadable files raise ContentError."""
    data_by_file, errors = {}, []
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([f"Le dossier {directory} n'existe pas."])
    for path in sorted(directory.glob("*.json")):
        try:
            data_by_file[path.name] = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            errors.append(f"{path.name} : fichier JSON illisible ({error}).")
    if errors:
        raise ContentError(errors)
    return data_by_file


def framework_competences(path=FRAMEWORK_FILE):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {comp["code"] for domain in data["domains"] for comp in domain["competences"]}


def _code_of(item):
    code = item.get("code") if isinstance(item, dict) else None
    return code if isinstance(code, str) and code.strip() else None


def _is_type(value, expected):
    if value is True or value is False:  # bool is an int in Python, never in our files
        return False
    return isinstance(value, expected)


def _has_nul(value):
    """A NUL character in a text or a list of texts (PostgreSQL keeps none, in text or in JSON).

    Objects in a list (tubes, skills...) are items, checked by their own `_check_fields`.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(element) for element in value if not isinstance(element, dict))
    return False


def _check_fields(item, fields, where, errors):
    """Missing, unknown and wrongly typed fields; True when the item can be read further."""
    if not isinstance(item, dict):
        errors.append(f"{where} : un objet JSON {{…}} est attendu.")
        return False
    ok = True
    for name, expected in fields.items():
        if name not in item:
            if name not in OPTIONAL:
                errors.append(f"{where} : le champ « {name} » manque.")
                ok = False
        elif not _is_type(item[name], expected):
            errors.append(f"{where} : le champ « {name} » doit être {TYPE_NAMES[expected]}.")
            ok = False
        elif _has_nul(item[name]):
            errors.append(f"{where} : le champ « {name} » contient un caractère nul (\\x00).")
            ok = False
        elif expected is str and name in MAX_LENGTHS and len(item[name]) > MAX_LENGTHS[name]:
            errors.append(f"{where} : le champ « {name} » dépasse {MAX_LENGTHS[name]} caractères.")
    for name in item:
        if name not in fields:
            errors.append(f"{where} : champ inconnu « {name} ».")
    for name, expected in fields.items():
        if expected is str and name not in OPTIONAL and isinstance(item.get(name), str) and not item[name].strip():
            errors.append(f"{where} : le champ « {name} » est vide.")
    return ok


def _static_file_error(label, relative, static_dir):
    """None when `relative` names a file under static_dir, else the end of a French sentence."""
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts:
        return f"{label} {relative} doit être un chemin relatif au dossier static, sans « .. »"
    full = Path(static_dir) / path
    if not full.is_file():
        try:
            shown = full.relative_to(CRCN_DIR.parent)
        except ValueError:
            shown = full
        return f"{label} {relative} est introuvable ({shown})"
    return None


def _check_challenge(challenge, where, static_dir, errors):
    kind, proposals, solution = challenge["type"], challenge.get("proposals", []), challenge["solution"]
    if kind not in CHALLENGE_TYPES:
        errors.append(f"{where} : type « {kind} » inconnu (qcu, qcm ou qroc).")
        return
    if kind in ("qcu", "qcm"):
        if len(proposals) < 2:
            errors.append(f"{where} : il faut au moins 2 propositions.")
            return
        if not all(isinstance(p, str) and p.strip() for p in proposals):
            errors.append(f"{where} : chaque proposition doit être un texte non vide.")
            return
        if len({" ".join(p.split()).casefold() for p in proposals}) < len(proposals):
            errors.append(f"{where} : deux propositions sont identiques.")
        count = len(proposals)
        if kind == "qcu":
            if not _is_type(solution, int):
                errors.append(f"{where} : la solution d'un QCU est l'indice (nombre entier) de la bonne proposition.")
            elif not 0 <= solution < count:
                errors.append(
                    f"{where} : la solution {solution} n'est pas une proposition ({count} propositions,"
                    f" indices 0 à {count - 1})."
                )
        else:
            if not isinstance(solution, list) or not all(_is_type(s, int) for s in solution):
                errors.append(f"{where} : la solution d'un QCM est une liste d'indices (nombres entiers).")
            elif any(not 0 <= s < count for s in solution):
                errors.append(
                    f"{where} : la solution {solution} cite une proposition qui n'existe pas ({count} propositions,"
                    f" indices 0 à {count - 1})."
                )
            elif solution != sorted(set(solution)):
                errors.append(f"{where} : la solution d'un QCM doit être une liste triée, sans doublon.")
            elif len(solution) < 2:
                errors.append(f"{where} : un QCM a au moins 2 bonnes propositions (sinon, en faire un QCU).")
            elif len(solution) == count:
                errors.append(f"{where} : un QCM a au moins une proposition fausse.")
    else:
        if proposals:
            errors.append(f"{where} : une réponse courte (qroc) n'a pas de propositions.")
        if not isinstance(solution, list) or not solution:
            errors.append(f"{where} : une réponse courte (qroc) demande la liste des réponses acceptées.")
        elif not all(isinstance(s, str) and normalize(s) for s in solution):
            errors.append(f"{where} : chaque réponse acceptée doit être un texte non vide.")
    illustration, alt = challenge.get("illustration", ""), challenge.get("illustration_alt", "")
    if illustration:
        problem = _static_file_error("l'illustration", illustration, static_dir)
        if problem:
            errors.append(f"{where} : {problem}.")
        if not alt.strip():
            errors.append(f"{where} : l'illustration n'a pas de texte alternatif (illustration_alt).")
    elif alt.strip():
        errors.append(f"{where} : un texte alternatif est donné sans illustration.")
    if len(alt) > MAX_ALT:
        errors.append(f"{where} : le texte alternatif dépasse {MAX_ALT} caractères.")
    attachment = challenge.get("attachment", "")
    if attachment:
        problem = _static_file_error("le fichier joint", attachment, static_dir)
        if problem:
            errors.append(f"{where} : {problem}.")


def _check_tutorial(tutorial, where, errors):
    if not tutorial["url"].startswith("https://") or len(tutorial["url"]) <= len("https://"):
        errors.append(f"{where} : l'adresse « {tutorial['url']} » doit commencer par https://.")
    elif any(c.isspace() for c in tutorial["url"]):
        errors.append(f"{where} : l'adresse contient une espace.")
    if not 1 <= tutorial["duration_minutes"] <= 240:
        errors.append(f"{where} : la durée doit être comprise entre 1 et 240 minutes.")
    if tutorial["format"] not in TUTORIAL_FORMATS:
        errors.append(f"{where} : format « {tutorial['format']} » inconnu ({', '.join(TUTORIAL_FORMATS)}).")
    if not LOWEST_LEVEL <= tutorial["level"] <= HIGHEST_LEVEL:
        errors.append(
            f"{where} : le niveau {tutorial['level']} n'existe pas (le niveau visé, de {LOWEST_LEVEL}"
            f" à {HIGHEST_LEVEL})."
        )


def validate_content(data_by_file, *, competence_codes=None, static_dir=STATIC_DIR):
    """Every problem of the bank, as French sentences naming the file and the item; [] when all is well."""
    competence_codes = framework_competences() if competence_codes is None else set(competence_codes)
    errors = []
    seen = {"tube": {}, "tutoriel": {}, "acquis": {}, "épreuve": {}}
    files_of_competence = defaultdict(list)

    def claim(kind, code, where):
        if code in seen[kind]:
            errors.append(f"{where} : le code « {code} » est déjà utilisé ({seen[kind][code]}).")
        else:
            seen[kind][code] = where

    for name, data in sorted(data_by_file.items()):
        if not _check_fields(data, FILE_FIELDS, name, errors):
            continue
        competence = data["competence"]
        if competence not in competence_codes:
            errors.append(f"{name} : compétence « {competence} » inconnue du référentiel.")
        elif name != f"{competence}.json":
            errors.append(f"{name} : le fichier de la compétence {competence} doit s'appeler {competence}.json.")
        files_of_competence[competence].append(name)
        if data["version"] < 1:
            errors.append(f"{name} : la version doit être un entier positif.")
        if len(data["tubes"]) < MIN_TUBES:
            errors.append(f"{name} : {len(data['tubes'])} sujet(s) seulement, il en faut au moins {MIN_TUBES}.")
        covered = set()
        for t_index, tube in enumerate(data["tubes"], start=1):
            code = _code_of(tube)
            where_tube = f"{name}, sujet « {code} »" if code else f"{name}, sujet n° {t_index}"
            if not _check_fields(tube, TUBE_FIELDS, where_tube, errors):
                continue
            if not SLUG.match(tube["code"]):
                errors.append(f"{where_tube} : le code doit être en minuscules, chiffres et tirets.")
            claim("tube", tube["code"], where_tube)
            if not tube["tutorials"]:
                errors.append(f"{where_tube} : aucun tutoriel (il en faut 1 à 3).")
            for u_index, tutorial in enumerate(tube["tutorials"], start=1):
                code = _code_of(tutorial)
                where = f"{where_tube}, tutoriel « {code} »" if code else f"{where_tube}, tutoriel n° {u_index}"
                if not _check_fields(tutorial, TUTORIAL_FIELDS, where, errors):
                    continue
                if not SLUG.match(tutorial["code"]):
                    errors.append(f"{where} : le code doit être en minuscules, chiffres et tirets.")
                claim("tutoriel", tutorial["code"], where)
                _check_tutorial(tutorial, where, errors)
            if not tube["skills"]:
                errors.append(f"{where_tube} : aucun acquis.")
            levels = Counter()
            for s_index, skill in enumerate(tube["skills"], start=1):
                code = _code_of(skill)
                where = f"{where_tube}, acquis « {code} »" if code else f"{where_tube}, acquis n° {s_index}"
                if not _check_fields(skill, SKILL_FIELDS, where, errors):
                    continue
                level = skill["level"]
                if not LOWEST_LEVEL <= level <= HIGHEST_LEVEL:
                    errors.append(f"{where} : le niveau {level} n'existe pas (1 à 8).")
                    continue
                levels[level] += 1
                covered.add(level)
                if skill["code"] != f"@{tube['code']}{level}":
                    errors.append(f"{where} : le code doit être « @{tube['code']}{level} » (sujet puis niveau).")
                claim("acquis", skill["code"], where)
                if not skill["challenges"]:
                    errors.append(f"{where} : aucune épreuve.")
                elif level in REQUIRED_LEVELS and len(skill["challenges"]) < MIN_CHALLENGES_PER_SKILL:
                    errors.append(
                        f"{where} : {len(skill['challenges'])} épreuve seulement ; il en faut au moins"
                        f" {MIN_CHALLENGES_PER_SKILL} aux niveaux 1 à 6 (en certification, deux voisins ne doivent"
                        " pas voir les mêmes questions)."
                    )
                for c_index, challenge in enumerate(skill["challenges"], start=1):
                    code = _code_of(challenge)
                    where_ch = (
                        f"{where_tube}, épreuve « {code} »"
                        if code
                        else f"{where_tube}, acquis « {skill['code']} », épreuve n° {c_index}"
                    )
                    if not _check_fields(challenge, CHALLENGE_FIELDS, where_ch, errors):
                        continue
                    claim("épreuve", challenge["code"], where_ch)
                    _check_challenge(challenge, where_ch, static_dir, errors)
            for level, count in sorted(levels.items()):
                if count > 1:
                    errors.append(f"{where_tube} : {count} acquis au niveau {level} (un seul par niveau).")
            if levels and sorted(levels) != list(range(min(levels), max(levels) + 1)):
                missing = sorted(set(range(min(levels), max(levels) + 1)) - set(levels))
                errors.append(
                    f"{where_tube} : les niveaux doivent se suivre ; il manque le(s) niveau(x) "
                    f"{', '.join(map(str, missing))}."
                )
        missing = [str(n) for n in REQUIRED_LEVELS if n not in covered]
        if missing:
            errors.append(f"{name} : aucun acquis au(x) niveau(x) {', '.join(missing)} (il en faut de 1 à 6).")
    for competence, names in sorted(files_of_competence.items()):
        if len(names) > 1:
            errors.append(f"{', '.join(names)} : la compétence {competence} est décrite dans plusieurs fichiers.")
    errors.extend(longest_answer_errors(longest_answer_bias(data_by_file)))
    return errors


def right_answer_is_longest(proposals, solution):
    """The right proposal is at least as long as every other one (a tie counts: it gives the answer away too)."""
    right = len(proposals[solution].strip())
    return all(right >= len(p.strip()) for i, p in enumerate(proposals) if i != solution)


def _readable_single_choices(data):
    """(proposals, solution) of the well-formed single choice questions of a file; the rest is left to
    `validate_content`'s other rules."""
    for tube in data.get("tubes", []) if isinstance(data.get("tubes"), list) else []:
        skills = tube.get("skills", []) if isinstance(tube, dict) else []
        for skill in skills if isinstance(skills, list) else []:
            challenges = skill.get("challenges", []) if isinstance(skill, dict) else []
            for challenge in challenges if isinstance(challenges, list) else []:
                if not isinstance(challenge, dict) or challenge.get("type") != "qcu":
                    continue
                proposals, solution = challenge.get("proposals"), challenge.get("solution")
                if (
                    isinstance(proposals, list)
                    and all(isinstance(p, str) for p in proposals)
                    and _is_type(solution, int)
                    and 0 <= solution < len(proposals)
                ):
                    yield proposals, solution


def longest_answer_bias(data_by_file):
    """Per competence (in code order), then for the whole bank under TOTAL: {"single_choice": number of qcu,
    "longest_right": those whose right answer is the longest proposal, "share": their share (0 without qcu)}."""
    counts = defaultdict(lambda: [0, 0])
    for data in data_by_file.values():
        if not isinstance(data, dict) or not isinstance(data.get("competence"), str):
            continue
        row = counts[data["competence"]]
        for proposals, solution in _readable_single_choices(data):
            row[0] += 1
            row[1] += right_answer_is_longest(proposals, solution)
    counts[TOTAL] = [sum(row[0] for row in counts.values()), sum(row[1] for row in counts.values())]
    return {
        code: {"single_choice": total, "longest_right": longest, "share": longest / total if total else 0.0}
        for code, (total, longest) in sorted(counts.items(), key=lambda item: (item[0] == TOTAL, item[0]))
    }


def longest_answer_errors(bias):
    """The French refusals of a bias report: a competence, or the whole bank, above MAX_LONGEST_RIGHT."""
    errors = []
    for code, row in bias.items():
        if row["single_choice"] and Fraction(row["longest_right"], row["single_choice"]) > MAX_LONGEST_RIGHT:
            name = "Toute la banque" if code == TOTAL else code
            errors.append(
                f"{name} : la bonne réponse est la plus longue dans {describe_bias(row)} ; au plus"
                f" {MAX_LONGEST_RIGHT.numerator} sur {MAX_LONGEST_RIGHT.denominator}."
            )
    return errors


def describe_bias(row):
    """« 9 questions à choix unique sur 20 (45 %) »."""
    return (
        f"{row['longest_right']} question{'s' if row['longest_right'] > 1 else ''} à choix unique"
        f" sur {row['single_choice']} ({round(100 * row['share'])} %)"
    )


def pix_values(data_by_file):
    """{skill code: pix} — each level of a competence is worth 8 pix, shared equally by its skills."""
    by_level = defaultdict(list)
    for data in data_by_file.values():
        for tube in data["tubes"]:
            for skill in tube["skills"]:
                by_level[(data["competence"], skill["level"])].append(skill["code"])
    return {code: PIX_PER_LEVEL / len(codes) for codes in by_level.values() for code in codes}
