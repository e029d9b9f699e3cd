"""The challenge bank (crcn/content/*.json): its rules, the shipped content and its loading."""

import copy
import io
import json
import shutil
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from crcn.answers import is_correct
from crcn.content import load_content
from crcn.content_rules import (
    CONTENT_DIR,
    STATIC_DIR,
    TOTAL,
    ContentError,
    framework_competences,
    longest_answer_bias,
    pix_values,
    read_content,
    right_answer_is_longest,
    validate_content,
)
from crcn.models import Challenge, Skill, Tube, Tutorial

BANK = read_content()


def challenges_of(data_by_file=BANK):
    for data in data_by_file.values():
        for tube in data["tubes"]:
            for skill in tube["skills"]:
                for challenge in skill["challenges"]:
                    yield data["competence"], tube, skill, challenge


ALL_CHALLENGES = list(challenges_of())


# --- The shipped bank ------------------------------------------------------------------------------------------


def test_the_shipped_bank_follows_every_rule():
    assert validate_content(BANK) == []


def test_the_bank_covers_the_sixteen_competences_with_three_tubes_and_levels_one_to_six():
    assert {data["competence"] for data in BANK.values()} == framework_competences()
    assert sorted(BANK) == sorted(f"{code}.json" for code in framework_competences())
    for data in BANK.values():
        assert len(data["tubes"]) >= 3, data["competence"]
        levels = {skill["level"] for tube in data["tubes"] for skill in tube["skills"]}
        assert set(range(1, 7)) <= levels, data["competence"]
        for tube in data["tubes"]:
            assert 1 <= len(tube["tutorials"]) <= 3, tube["code"]
            for skill in tube["skills"]:
                assert len(skill["challenges"]) >= (2 if skill["level"] <= 6 else 1), skill["code"]


def test_the_bank_holds_at_least_200_challenges_mostly_single_choice():
    types = Counter(challenge["type"] for *_, challenge in ALL_CHALLENGES)
    assert sum(types.values()) >= 200
    assert types["qcu"] > sum(types.values()) / 2
    assert types["qcm"] >= 15
    assert types["qroc"] >= 15


def test_the_right_answers_of_single_choices_are_spread_over_the_positions():
    positions = Counter(challenge["solution"] for *_, challenge in ALL_CHALLENGES if challenge["type"] == "qcu")
    assert len(positions) >= 4
    assert max(positions.values()) < 0.4 * sum(positions.values())


def test_codes_are_unique_across_files():
    for kind, codes in {
        "tubes": [tube["code"] for data in BANK.values() for tube in data["tubes"]],
        "skills": [s["code"] for data in BANK.values() for t in data["tubes"] for s in t["skills"]],
        "challenges": [challenge["code"] for *_, challenge in ALL_CHALLENGES],
        "tutorials": [u["code"] for data in BANK.values() for t in data["tubes"] for u in t["tutorials"]],
    }.items():
        assert len(codes) == len(set(codes)), kind


def test_each_level_of_a_competence_is_worth_8_pix_so_levels_one_to_five_make_40():
    pix = pix_values(BANK)
    for data in BANK.values():
        by_level = defaultdict(float)
        for tube in data["tubes"]:
            for skill in tube["skills"]:
                by_level[skill["level"]] += pix[skill["code"]]
        assert all(value == pytest.approx(8) for value in by_level.values()), data["competence"]
        assert sum(by_level[level] for level in range(1, 6)) == pytest.approx(40)


@pytest.mark.parametrize("challenge", [c for *_, c in ALL_CHALLENGES], ids=lambda c: c["code"])
def test_the_solution_is_accepted_and_a_wrong_answer_refused(challenge):
    kind, solution = challenge["type"], challenge["solution"]
    if kind == "qcu":
        assert is_correct(kind, solution, solution)
        assert not is_correct(kind, solution, (solution + 1) % len(challenge["proposals"]))
    elif kind == "qcm":
        wrong = [i for i in range(len(challenge["proposals"])) if i not in solution]
        assert is_correct(kind, solution, list(reversed(solution)))
        assert not is_correct(kind, solution, solution[:-1])
        assert not is_correct(kind, solution, sorted(solution + wrong[:1]))
    else:
        for accepted in solution:
            assert is_correct(kind, solution, accepted)
            assert is_correct(kind, solution, f"  {accepted.upper()} ")
        assert not is_correct(kind, solution, "je ne sais pas")
        assert not is_correct(kind, solution, "")


def test_illustrations_and_attachments_exist_and_illustrations_are_described():
    illustrated = attached = 0
    for *_, challenge in ALL_CHALLENGES:
        if challenge["illustration"]:
            illustrated += 1
            assert (STATIC_DIR / challenge["illustration"]).is_file(), challenge["code"]
            assert challenge["illustration"].endswith(".svg")
            assert len(challenge["illustration_alt"]) >= 40, challenge["code"]
        if challenge["attachment"]:
            attached += 1
            assert (STATIC_DIR / challenge["attachment"]).is_file(), challenge["code"]
    assert illustrated >= 20
    assert attached >= 5


def test_svg_illustrations_are_well_formed_and_titled():
    from xml.dom import minidom

    for path in (STATIC_DIR / "crcn" / "content" / "img").glob("*.svg"):
        document = minidom.parse(str(path))
        assert document.getElementsByTagName("title"), path.name


def test_tutorials_are_https_pages_of_known_formats():
    for data in BANK.values():
        for tube in data["tubes"]:
            for tutorial in tube["tutorials"]:
                assert tutorial["url"].startswith("https://")
                assert tutorial["format"] in {"video", "page", "pdf", "exercise"}
                assert 1 <= tutorial["duration_minutes"] <= 60
                assert 1 <= tutorial["level"] <= 8


def test_in_the_shipped_bank_the_right_answer_is_the_longest_in_at_most_a_third_of_single_choices():
    bias = longest_answer_bias(BANK)
    assert set(bias) == framework_competences() | {TOTAL}
    assert bias[TOTAL]["single_choice"] == sum(c["type"] == "qcu" for *_, c in ALL_CHALLENGES)
    assert all(row["longest_right"] * 3 <= row["single_choice"] for row in bias.values()), bias


# --- The rules, on hand-made content ---------------------------------------------------------------------------


def make_challenge(code, **changes):
    challenge = {
        "code": code,
        "type": "qcu",
        "instruction": "Question ?",
        "proposals": ["a", "b", "cc"],  # the right answer is not the longest
        "solution": 1,
        "explanation": "Parce que.",
        "illustration": "",
        "illustration_alt": "",
        "attachment": "",
    }
    return {**challenge, **changes}


def make_file(competence="1.1", prefix="t"):
    tubes = []
    for name in ("a", "b", "c"):
        code = f"{prefix}-{name}"
        tubes.append(
            {
                "code": code,
                "title": f"Sujet {name}",
                "description": "",
                "tutorials": [
                    {
                        "code": f"tuto-{code}",
                        "title": "Tutoriel",
                        "url": "https://fr.wikipedia.org/wiki/Tableur",
                        "duration_minutes": 5,
                        "format": "page",
                        "source": "Wikipédia",
                        "level": 1,
                    }
                ],
                "skills": [
                    {
                        "code": f"@{code}{level}",
                        "level": level,
                        "challenges": [make_challenge(f"ch-{code}-{level}"), make_challenge(f"ch-{code}-{level}-bis")],
                    }
                    for level in range(1, 7)
                ],
            }
        )
    return {"competence": competence, "version": 1, "tubes": tubes}


def first_challenge(bank):
    return bank["1.1.json"]["tubes"][0]["skills"][0]["challenges"][0]


def validate(bank, **kwargs):
    return validate_content(bank, competence_codes={"1.1", "1.2"}, **kwargs)


@pytest.fixture
def bank():
    return {"1.1.json": make_file()}


def test_hand_made_content_is_valid(bank):
    assert validate(bank) == []


def test_a_single_choice_solution_out_of_range_names_file_tube_and_challenge(bank):
    first_challenge(bank)["solution"] = 4
    assert validate(bank) == [
        "1.1.json, sujet « t-a », épreuve « ch-t-a-1 » : la solution 4 n'est pas une proposition"
        " (3 propositions, indices 0 à 2)."
    ]


def mutate(path, value):
    """Sets bank[...path] = value, or deletes the key when value is DELETE."""

    def apply(bank):
        target = bank
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return apply


DELETE = object()
TUBE_A = ("1.1.json", "tubes", 0)
CHALLENGE = (*TUBE_A, "skills", 0, "challenges", 0)
SKILL = (*TUBE_A, "skills", 0)


def also(*changes):
    def apply(bank):
        for change in changes:
            change(bank)

    return apply


def remove_level(level):
    def apply(bank):
        for tube in bank["1.1.json"]["tubes"]:
            tube["skills"] = [s for s in tube["skills"] if s["level"] != level]

    return apply


def second_file_reusing_a_challenge_code(bank):
    other = make_file("1.2", prefix="u")
    other["tubes"][0]["skills"][0]["challenges"][0]["code"] = "ch-t-a-1"
    bank["1.2.json"] = other


BAD_CONTENT = {
    "unknown competence": (mutate(("1.1.json", "competence"), "9.9"), "1.1.json : compétence « 9.9 » inconnue"),
    "file named after another competence": (
        mutate(("1.1.json", "competence"), "1.2"),
        "1.1.json : le fichier de la compétence 1.2 doit s'appeler 1.2.json",
    ),
    "missing field": (
        mutate((*CHALLENGE, "explanation"), DELETE),
        "1.1.json, sujet « t-a », épreuve « ch-t-a-1 » : le champ « explanation » manque",
    ),
    "challenge without code": (
        mutate((*CHALLENGE, "code"), DELETE),
        "1.1.json, sujet « t-a », acquis « @t-a1 », épreuve n° 1 : le champ « code » manque.",
    ),
    "unknown field": (mutate((*CHALLENGE, "solutoin"), 1), "épreuve « ch-t-a-1 » : champ inconnu « solutoin »"),
    "wrong type": (
        mutate((*CHALLENGE, "instruction"), 3),
        "1.1.json, sujet « t-a », épreuve « ch-t-a-1 » : le champ « instruction » doit être un texte",
    ),
    "boolean solution": (mutate((*CHALLENGE, "solution"), True), "doit être un nombre ou une liste"),
    "empty instruction": (mutate((*CHALLENGE, "instruction"), "  "), "le champ « instruction » est vide"),
    "unknown type": (mutate((*CHALLENGE, "type"), "vrai-faux"), "épreuve « ch-t-a-1 » : type « vrai-faux » inconnu"),
    "one proposal": (mutate((*CHALLENGE, "proposals"), ["a"]), "épreuve « ch-t-a-1 » : il faut au moins 2"),
    "twice the same proposal": (
        mutate((*CHALLENGE, "proposals"), ["Oui", "oui ", "Non"]),
        "épreuve « ch-t-a-1 » : deux propositions sont identiques",
    ),
    "single choice with a list": (
        mutate((*CHALLENGE, "solution"), [1]),
        "épreuve « ch-t-a-1 » : la solution d'un QCU est l'indice",
    ),
    "multiple choice with one right answer": (
        also(mutate((*CHALLENGE, "type"), "qcm"), mutate((*CHALLENGE, "solution"), [1])),
        "épreuve « ch-t-a-1 » : un QCM a au moins 2 bonnes propositions",
    ),
    "multiple choice with every answer right": (
        also(mutate((*CHALLENGE, "type"), "qcm"), mutate((*CHALLENGE, "solution"), [0, 1, 2])),
        "épreuve « ch-t-a-1 » : un QCM a au moins une proposition fausse",
    ),
    "multiple choice unsorted": (
        also(mutate((*CHALLENGE, "type"), "qcm"), mutate((*CHALLENGE, "solution"), [2, 0])),
        "épreuve « ch-t-a-1 » : la solution d'un QCM doit être une liste triée",
    ),
    "multiple choice out of range": (
        also(mutate((*CHALLENGE, "type"), "qcm"), mutate((*CHALLENGE, "solution"), [0, 5])),
        "épreuve « ch-t-a-1 » : la solution [0, 5] cite une proposition qui n'existe pas",
    ),
    "multiple choice given an index": (
        mutate((*CHALLENGE, "type"), "qcm"),
        "épreuve « ch-t-a-1 » : la solution d'un QCM est une liste d'indices",
    ),
    "short answer without accepted answer": (
        also(
            mutate((*CHALLENGE, "type"), "qroc"),
            mutate((*CHALLENGE, "proposals"), []),
            mutate((*CHALLENGE, "solution"), []),
        ),
        "épreuve « ch-t-a-1 » : une réponse courte (qroc) demande la liste des réponses acceptées",
    ),
    "short answer with an empty accepted answer": (
        also(
            mutate((*CHALLENGE, "type"), "qroc"),
            mutate((*CHALLENGE, "proposals"), []),
            mutate((*CHALLENGE, "solution"), ["?"]),
        ),
        "épreuve « ch-t-a-1 » : chaque réponse acceptée doit être un texte non vide",
    ),
    "short answer with proposals": (
        also(mutate((*CHALLENGE, "type"), "qroc"), mutate((*CHALLENGE, "solution"), ["a"])),
        "épreuve « ch-t-a-1 » : une réponse courte (qroc) n'a pas de propositions",
    ),
    "duplicate challenge code in one file": (
        mutate((*TUBE_A, "skills", 1, "challenges", 0, "code"), "ch-t-a-1"),
        "épreuve « ch-t-a-1 » : le code « ch-t-a-1 » est déjà utilisé (1.1.json, sujet « t-a », épreuve « ch-t-a-1 »)",
    ),
    "duplicate challenge code across files": (
        second_file_reusing_a_challenge_code,
        "1.2.json, sujet « u-a », épreuve « ch-t-a-1 » : le code « ch-t-a-1 » est déjà utilisé (1.1.json",
    ),
    "duplicate tube code": (mutate(("1.1.json", "tubes", 1, "code"), "t-a"), "le code « t-a » est déjà utilisé"),
    "tube code not a slug": (
        mutate((*TUBE_A, "code"), "Sujet A"),
        "sujet « Sujet A » : le code doit être en minuscules",
    ),
    "two skills at one level": (
        also(mutate((*TUBE_A, "skills", 1, "level"), 1), mutate((*TUBE_A, "skills", 1, "code"), "@t-a1")),
        "1.1.json, sujet « t-a » : 2 acquis au niveau 1 (un seul par niveau).",
    ),
    "level outside 1-8": (
        also(mutate((*SKILL, "level"), 9), mutate((*SKILL, "code"), "@t-a9")),
        "1.1.json, sujet « t-a », acquis « @t-a9 » : le niveau 9 n'existe pas (1 à 8).",
    ),
    "skill code not made of tube and level": (
        mutate((*SKILL, "code"), "@autre1"),
        "acquis « @autre1 » : le code doit être « @t-a1 » (sujet puis niveau).",
    ),
    "skill without challenge": (mutate((*SKILL, "challenges"), []), "acquis « @t-a1 » : aucune épreuve."),
    "levels of a tube not contiguous": (
        mutate((*TUBE_A, "skills"), [make_file()["tubes"][0]["skills"][i] for i in (0, 1, 3, 4, 5)]),
        "1.1.json, sujet « t-a » : les niveaux doivent se suivre ; il manque le(s) niveau(x) 3.",
    ),
    "a level not covered": (remove_level(6), "1.1.json : aucun acquis au(x) niveau(x) 6 (il en faut de 1 à 6)."),
    "fewer than three tubes": (
        mutate(("1.1.json", "tubes"), make_file()["tubes"][:2]),
        "1.1.json : 2 sujet(s) seulement, il en faut au moins 3.",
    ),
    "missing illustration file": (
        also(
            mutate((*CHALLENGE, "illustration"), "crcn/content/img/absente.svg"),
            mutate((*CHALLENGE, "illustration_alt"), "Une description"),
        ),
        "épreuve « ch-t-a-1 » : l'illustration crcn/content/img/absente.svg est introuvable"
        " (crcn/static/crcn/content/img/absente.svg).",
    ),
    "illustration outside static": (
        also(mutate((*CHALLENGE, "illustration"), "../secret.svg"), mutate((*CHALLENGE, "illustration_alt"), "x")),
        "l'illustration ../secret.svg doit être un chemin relatif au dossier static, sans « .. ».",
    ),
    "illustration without alt text": (
        mutate((*CHALLENGE, "illustration"), "crcn/content/img/tableur-notes.svg"),
        "épreuve « ch-t-a-1 » : l'illustration n'a pas de texte alternatif (illustration_alt).",
    ),
    "alt text without illustration": (
        mutate((*CHALLENGE, "illustration_alt"), "Une description"),
        "un texte alternatif est donné sans illustration",
    ),
    "missing attachment file": (
        mutate((*CHALLENGE, "attachment"), "crcn/content/files/absent.csv"),
        "épreuve « ch-t-a-1 » : le fichier joint crcn/content/files/absent.csv est introuvable"
        " (crcn/static/crcn/content/files/absent.csv).",
    ),
    "tutorial not over https": (
        mutate((*TUBE_A, "tutorials", 0, "url"), "http://exemple.fr"),
        "1.1.json, sujet « t-a », tutoriel « tuto-t-a » : l'adresse « http://exemple.fr » doit commencer par https://.",
    ),
    "tutorial of unknown format": (
        mutate((*TUBE_A, "tutorials", 0, "format"), "podcast"),
        "tutoriel « tuto-t-a » : format « podcast » inconnu",
    ),
    "tutorial of zero minutes": (
        mutate((*TUBE_A, "tutorials", 0, "duration_minutes"), 0),
        "tutoriel « tuto-t-a » : la durée doit être comprise entre 1 et 240 minutes.",
    ),
    "tube without tutorial": (mutate((*TUBE_A, "tutorials"), []), "sujet « t-a » : aucun tutoriel"),
    "tutorial without level": (
        mutate((*TUBE_A, "tutorials", 0, "level"), DELETE),
        "1.1.json, sujet « t-a », tutoriel « tuto-t-a » : le champ « level » manque.",
    ),
    "tutorial level not a number": (
        mutate((*TUBE_A, "tutorials", 0, "level"), "2"),
        "tutoriel « tuto-t-a » : le champ « level » doit être un nombre entier.",
    ),
    "tutorial level true": (
        mutate((*TUBE_A, "tutorials", 0, "level"), True),
        "tutoriel « tuto-t-a » : le champ « level » doit être un nombre entier.",
    ),
    "tutorial level 0": (
        mutate((*TUBE_A, "tutorials", 0, "level"), 0),
        "1.1.json, sujet « t-a », tutoriel « tuto-t-a » : le niveau 0 n'existe pas (le niveau visé, de 1 à 8).",
    ),
    "tutorial level 9": (
        mutate((*TUBE_A, "tutorials", 0, "level"), 9),
        "tutoriel « tuto-t-a » : le niveau 9 n'existe pas (le niveau visé, de 1 à 8).",
    ),
    "a skill of level 1 with a single challenge": (
        mutate((*SKILL, "challenges"), [make_challenge("ch-t-a-1")]),
        "1.1.json, sujet « t-a », acquis « @t-a1 » : 1 épreuve seulement ; il en faut au moins 2 aux niveaux 1 à 6"
        " (en certification, deux voisins ne doivent pas voir les mêmes questions).",
    ),
    "a skill of level 6 with a single challenge": (
        mutate((*TUBE_A, "skills", 5, "challenges"), [make_challenge("ch-t-a-6")]),
        "acquis « @t-a6 » : 1 épreuve seulement ; il en faut au moins 2",
    ),
    "version not positive": (mutate(("1.1.json", "version"), 0), "1.1.json : la version doit être un entier positif."),
    "file not an object": (mutate(("1.1.json",), []), "1.1.json : un objet JSON {…} est attendu."),
    "NUL in an instruction": (
        mutate((*CHALLENGE, "instruction"), "Quelle\x00 réponse ?"),
        "épreuve « ch-t-a-1 » : le champ « instruction » contient un caractère nul (\\x00).",
    ),
    "NUL in a proposal": (
        mutate((*CHALLENGE, "proposals", 1), "B\x00"),
        "épreuve « ch-t-a-1 » : le champ « proposals » contient un caractère nul (\\x00).",
    ),
    "NUL in a tube title": (
        mutate((*TUBE_A, "title"), "Sujet\x00"),
        "sujet « t-a » : le champ « title » contient un caractère nul (\\x00).",
    ),
    "tube title too long": (
        mutate((*TUBE_A, "title"), "T" * 201),
        "sujet « t-a » : le champ « title » dépasse 200 caractères.",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BAD_CONTENT.values(), ids=BAD_CONTENT.keys())
def test_bad_content_is_reported_naming_file_and_item(bank, change, expected):
    change(bank)
    errors = validate(bank, static_dir=STATIC_DIR)
    assert any(expected in error for error in errors), errors


def test_every_error_is_reported_at_once(bank):
    first_challenge(bank)["solution"] = 7
    bank["1.1.json"]["tubes"][1]["tutorials"][0]["url"] = "ftp://exemple.fr"
    remove_level(6)(bank)
    assert len(validate(bank)) == 3


def test_skills_above_level_6_may_have_a_single_challenge(bank):
    tube = bank["1.1.json"]["tubes"][0]
    tube["skills"].append({"code": "@t-a7", "level": 7, "challenges": [make_challenge("ch-t-a-7")]})
    assert validate(bank) == []


def test_a_tutorial_may_aim_at_any_level_from_1_to_8(bank):
    for level in (1, 8):
        bank["1.1.json"]["tubes"][0]["tutorials"][0]["level"] = level
        assert validate(bank) == []


# --- The right answer is not the longest one -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposals", "solution", "longest"),
    [
        (["court", "un peu plus long", "le plus long de tous"], 2, True),
        (["court", "un peu plus long", "le plus long de tous"], 1, False),
        (["égal", "egal"], 0, True),  # a tie gives the answer away as much
        (["  oui  ", "no"], 0, True),
        (["  oui  ", "nonnn"], 0, False),  # spaces around do not count: 3 letters against 5
    ],
)
def test_the_right_answer_is_the_longest_when_no_other_proposal_is_longer(proposals, solution, longest):
    assert right_answer_is_longest(proposals, solution) is longest


def set_longest_right(bank, competence_file, count):
    """Makes the right answer the longest proposal in the first `count` single choice questions of a file."""
    done = 0
    for tube in bank[competence_file]["tubes"]:
        for skill in tube["skills"]:
            for challenge in skill["challenges"]:
                if done < count:
                    challenge["proposals"] = ["a", "la bonne réponse, longue", "c"]
                    done += 1


def test_the_bias_is_counted_per_competence_and_for_the_whole_bank(bank):
    bank["1.2.json"] = make_file("1.2", prefix="u")
    set_longest_right(bank, "1.1.json", 12)
    set_longest_right(bank, "1.2.json", 3)  # the first skill's two challenges, then one of the second skill
    first = bank["1.2.json"]["tubes"][0]["skills"][0]["challenges"]
    first[1].update(type="qcm", solution=[0, 2])  # only single choices count
    first[0]["solution"] = 9  # unreadable: left to the other rules
    bias = longest_answer_bias(bank)
    assert list(bias) == ["1.1", "1.2", TOTAL]
    assert bias["1.1"] == {"single_choice": 36, "longest_right": 12, "share": pytest.approx(1 / 3)}
    assert bias["1.2"] == {"single_choice": 34, "longest_right": 1, "share": pytest.approx(1 / 34)}
    assert bias[TOTAL] == {"single_choice": 70, "longest_right": 13, "share": pytest.approx(13 / 70)}


def test_a_third_is_accepted(bank):
    set_longest_right(bank, "1.1.json", 12)  # 12 of 36
    assert validate(bank) == []


def test_a_competence_above_a_third_is_refused_with_its_figures(bank):
    bank["1.2.json"] = make_file("1.2", prefix="u")
    set_longest_right(bank, "1.2.json", 13)  # 13 of 36 in 1.2; 13 of 72 in the bank
    assert validate(bank) == [
        "1.2 : la bonne réponse est la plus longue dans 13 questions à choix unique sur 36 (36 %) ; au plus 1 sur 3."
    ]


def test_the_whole_bank_above_a_third_is_refused_too(bank):
    set_longest_right(bank, "1.1.json", 36)
    errors = validate(bank)
    assert errors == [
        "1.1 : la bonne réponse est la plus longue dans 36 questions à choix unique sur 36 (100 %) ; au plus 1 sur 3.",
        "Toute la banque : la bonne réponse est la plus longue dans 36 questions à choix unique sur 36 (100 %) ;"
        " au plus 1 sur 3.",
    ]


def test_a_bank_without_single_choices_has_no_bias(bank):
    for *_, challenge in challenges_of(bank):
        challenge.update(type="qroc", proposals=[], solution=["a"])
    assert longest_answer_bias(bank)[TOTAL] == {"single_choice": 0, "longest_right": 0, "share": 0.0}
    assert validate(bank) == []


def test_the_bias_of_broken_files_is_counted_without_failing():
    broken = {"1.1.json": {"competence": "1.1", "tubes": [None, {"skills": "x"}, {"skills": [{"challenges": [3]}]}]}}
    assert longest_answer_bias(broken)["1.1"]["single_choice"] == 0
    assert longest_answer_bias({"x.json": []}) == {TOTAL: {"single_choice": 0, "longest_right": 0, "share": 0.0}}


def test_pix_values_share_8_pix_among_the_skills_of_a_level(bank):
    bank["1.1.json"]["tubes"][2]["skills"].pop()  # level 6 is now covered by 2 tubes only
    pix = pix_values(bank)
    assert pix["@t-a1"] == pytest.approx(8 / 3)
    assert pix["@t-a6"] == pytest.approx(4)


def test_unreadable_json_is_reported_with_its_file_name(tmp_path):
    (tmp_path / "1.1.json").write_text("{ pas du JSON", encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        read_content(tmp_path)
    assert excinfo.value.errors[0].startswith("1.1.json : fichier JSON illisible")


# --- Loading into the database ---------------------------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the shipped files, to edit."""
    directory = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, directory)
    return directory


def edit(directory, competence, change):
    path = directory / f"{competence}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def state():
    return {
        "tubes": sorted(Tube.objects.values_list("code", "title", "competence__code")),
        "tutorials": sorted(Tutorial.objects.values_list("code", "url", "tube__code")),
        "skills": sorted(Skill.objects.values_list("code", "level", "pix_value", "is_active", "tube__code")),
        "challenges": sorted(
            (c.code, c.type, c.instruction, json.dumps(c.solution), c.status, c.skill.code)
            for c in Challenge.objects.select_related("skill")
        ),
    }


@pytest.mark.django_db
def test_the_migration_loaded_the_bank():
    assert Challenge.objects.active().count() == len(ALL_CHALLENGES)
    assert Tube.objects.count() == sum(len(data["tubes"]) for data in BANK.values())
    assert Skill.objects.filter(is_active=True).count() == len(pix_values(BANK))
    challenge = Challenge.objects.get(code=ALL_CHALLENGES[0][3]["code"])
    assert challenge.solution == ALL_CHALLENGES[0][3]["solution"]
    assert challenge.skill.tube.competence.code == ALL_CHALLENGES[0][0]


@pytest.mark.django_db
def test_skills_of_levels_one_to_five_are_worth_40_pix_in_every_competence():
    for competence in framework_competences():
        skills = Skill.objects.filter(tube__competence__code=competence, is_active=True)
        assert sum(s.pix_value for s in skills if s.level <= 5) == pytest.approx(40), competence
        for level in range(1, 7):
            assert sum(s.pix_value for s in skills if s.level == level) == pytest.approx(8), (competence, level)


@pytest.mark.django_db
def test_reloading_is_idempotent():
    before = state()
    report = load_content()
    assert state() == before
    assert report["challenges"] == {"created": 0, "updated": len(ALL_CHALLENGES), "retired": 0}
    assert report["skills"]["created"] == 0
    assert report["skills"]["deactivated"] == 0
    assert report["tubes"]["created"] == 0
    assert report["tutorials"]["created"] == 0
    assert report["tutorials"]["deleted"] == 0


@pytest.mark.django_db
def test_a_challenge_removed_from_the_files_is_retired_not_deleted_and_comes_back(content_copy):
    # Every skill of levels 1-6 must keep 2 challenges: a third one is added, then removed, then added back.
    competence, tube, skill, challenge = ALL_CHALLENGES[0]
    extra = {**challenge, "code": f"{challenge['code']}-extra"}

    def add(data):
        for t in data["tubes"]:
            for s in t["skills"]:
                if s["code"] == skill["code"]:
                    s["challenges"].append(extra)

    def drop(data):
        for t in data["tubes"]:
            for s in t["skills"]:
                s["challenges"] = [c for c in s["challenges"] if c["code"] != extra["code"]]

    edit(content_copy, competence, add)
    load_content(content_copy)
    assert Challenge.objects.get(code=extra["code"]).status == Challenge.Status.ACTIVE

    edit(content_copy, competence, drop)
    report = load_content(content_copy)
    assert report["challenges"]["retired"] == 1
    assert Challenge.objects.get(code=extra["code"]).status == Challenge.Status.RETIRED
    assert Challenge.objects.active().count() == len(ALL_CHALLENGES)

    edit(content_copy, competence, add)
    report = load_content(content_copy)
    assert report["challenges"]["retired"] == 0
    assert Challenge.objects.get(code=extra["code"]).status == Challenge.Status.ACTIVE
    assert Challenge.objects.active().count() == len(ALL_CHALLENGES) + 1


@pytest.mark.django_db
def test_a_skill_removed_from_the_files_is_deactivated_and_the_pix_of_its_level_shared_again(content_copy):
    def drop_first_level_six(data):
        data["tubes"][0]["skills"] = [s for s in data["tubes"][0]["skills"] if s["level"] != 6]

    gone = next(s for s in BANK["2.3.json"]["tubes"][0]["skills"] if s["level"] == 6)
    edit(content_copy, "2.3", drop_first_level_six)
    report = load_content(content_copy)
    assert report["skills"]["deactivated"] == 1
    assert report["challenges"]["retired"] == len(gone["challenges"])
    assert not Skill.objects.get(code=gone["code"]).is_active
    level_six = Skill.objects.filter(tube__competence__code="2.3", level=6, is_active=True)
    assert sum(s.pix_value for s in level_six) == pytest.approx(8)
    assert len(level_six) == 2

    load_content()
    assert Skill.objects.get(code=gone["code"]).is_active
    assert Skill.objects.get(code=gone["code"]).pix_value == pytest.approx(8 / 3)


@pytest.mark.django_db
def test_edits_and_new_items_are_written(content_copy):
    def change(data):
        data["tubes"][0]["skills"][0]["challenges"][0]["instruction"] = "Nouvelle consigne ?"
        new_skill = copy.deepcopy(data["tubes"][0]["skills"][-1])
        new_skill.update(code=f"@{data['tubes'][0]['code']}7", level=7)
        new_skill["challenges"] = [{**new_skill["challenges"][0], "code": "ch-nouvelle-epreuve-niveau-7"}]
        data["tubes"][0]["skills"].append(new_skill)

    edit(content_copy, "1.1", change)
    report = load_content(content_copy)
    assert report["challenges"]["created"] == 1
    assert report["skills"]["created"] == 1
    first = BANK["1.1.json"]["tubes"][0]["skills"][0]["challenges"][0]["code"]
    assert Challenge.objects.get(code=first).instruction == "Nouvelle consigne ?"
    new = Challenge.objects.get(code="ch-nouvelle-epreuve-niveau-7")
    assert new.skill.level == 7
    assert new.skill.pix_value == pytest.approx(8)


@pytest.mark.django_db
def test_bad_content_writes_nothing(content_copy):
    def harmless_edit(data):
        data["tubes"][0]["skills"][0]["challenges"][0]["instruction"] = "Modifiée ?"

    def error(data):
        data["tubes"][0]["skills"][0]["challenges"][0]["solution"] = 99

    edit(content_copy, "1.1", harmless_edit)
    edit(content_copy, "5.2", error)
    before = state()
    with pytest.raises(ContentError) as excinfo:
        load_content(content_copy)
    assert len(excinfo.value.errors) == 1
    assert excinfo.value.errors[0].startswith("5.2.json, sujet « materiel-composants », épreuve « ch-5.2-")
    assert state() == before


@pytest.mark.django_db
def test_an_empty_directory_loads_nothing(tmp_path):
    with pytest.raises(ContentError):
        load_content(tmp_path)


@pytest.mark.django_db
def test_the_command_prints_the_report():
    out = io.StringIO()
    call_command("load_content", stdout=out)
    assert f"Épreuves : 0 créées, {len(ALL_CHALLENGES)} mises à jour, 0 retirées." in out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_json_on_demand(content_copy):
    out = io.StringIO()
    call_command("load_content", "--dir", str(content_copy), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["challenges"]["updated"] == len(ALL_CHALLENGES)
    assert report["versions"]["1.1"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["tubes"][0].update(title="T" * 300), "le champ « title » dépasse 200 caractères."),
        (lambda data: data["tubes"][0].update(description="Un\x00sujet"), "« description » contient un caractère nul"),
        (
            lambda data: data["tubes"][0]["skills"][0]["challenges"][0]["proposals"].append("\x00"),
            "« proposals » contient un caractère nul",
        ),
    ],
)
def test_the_command_refuses_long_names_and_nul_characters_in_french(content_copy, change, message):
    before = state()
    edit(content_copy, "3.4", change)
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_content", "--dir", str(content_copy), stderr=err)
    assert excinfo.value.returncode == 1
    assert message in err.getvalue() and "Traceback" not in err.getvalue()
    assert state() == before


@pytest.mark.django_db
def test_the_command_lists_errors_on_stderr_and_fails(content_copy):
    edit(content_copy, "3.4", lambda data: data["tubes"][0]["tutorials"][0].update(url="http://exemple.fr"))
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_content", "--dir", str(content_copy), stderr=err)
    assert excinfo.value.returncode == 1
    assert "3.4.json, sujet « algorithmes », tutoriel « tuto-algorithmes-1 »" in err.getvalue()
    assert "rien n'a été chargé" in str(excinfo.value)


# --- The command's bias report and the tutorial's level, on hand-made content ------------------------------------


def write_bank(directory, bank):
    directory.mkdir(exist_ok=True)
    for name, data in bank.items():
        (directory / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return directory


def test_the_command_checks_without_writing_and_reports_the_bias(tmp_path, bank):
    set_longest_right(bank, "1.1.json", 9)
    out = io.StringIO()
    call_command("load_content", "--check", "--dir", str(write_bank(tmp_path / "content", bank)), stdout=out)
    assert out.getvalue().splitlines() == [
        "Banque valide (rien n'a été écrit).",
        "Bonne réponse la plus longue (questions à choix unique, au plus 1 sur 3) :",
        "  1.1 : 9 questions à choix unique sur 36 (25 %)",
        "  Total : 9 questions à choix unique sur 36 (25 %)",
    ]


def test_the_command_reports_the_bias_and_refuses_a_biased_bank(tmp_path, bank):
    set_longest_right(bank, "1.1.json", 20)
    directory = write_bank(tmp_path / "content", bank)
    for options in (["--check"], []):
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError) as excinfo:
            call_command("load_content", *options, "--dir", str(directory), stdout=out, stderr=err)
        assert excinfo.value.returncode == 1
        assert "  1.1 : 20 questions à choix unique sur 36 (56 %)" in out.getvalue()
        assert (
            "1.1 : la bonne réponse est la plus longue dans 20 questions à choix unique sur 36 (56 %) ;"
            " au plus 1 sur 3." in err.getvalue()
        )
        assert "Toute la banque : la bonne réponse est la plus longue" in err.getvalue()


def test_the_command_check_lists_errors_of_unreadable_files(tmp_path):
    (tmp_path / "1.1.json").write_text("{ pas du JSON", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_content", "--check", "--dir", str(tmp_path), stderr=err)
    assert "1.1.json : fichier JSON illisible" in err.getvalue()


@pytest.mark.django_db
def test_loading_stores_the_tutorials_level_and_prints_the_bias(tmp_path, bank):
    bank["1.1.json"]["tubes"][0]["tutorials"][0]["level"] = 4
    set_longest_right(bank, "1.1.json", 3)
    directory = write_bank(tmp_path / "content", bank)
    out = io.StringIO()
    call_command("load_content", "--dir", str(directory), stdout=out)
    assert Tutorial.objects.get(code="tuto-t-a").level == 4
    assert Tutorial.objects.get(code="tuto-t-b").level == 1
    assert "Tutoriels : 3 créés" in out.getvalue()
    assert out.getvalue().splitlines()[-2:] == [
        "  1.1 : 3 questions à choix unique sur 36 (8 %)",
        "  Total : 3 questions à choix unique sur 36 (8 %)",
    ]

    bank["1.1.json"]["tubes"][0]["tutorials"][0]["level"] = 5
    out = io.StringIO()
    call_command("load_content", "--dir", str(write_bank(directory, bank)), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["longest_answer_bias"]["1.1"] == {"single_choice": 36, "longest_right": 3, "share": 3 / 36}
    assert report["tutorials"]["updated"] == 3
    assert Tutorial.objects.get(code="tuto-t-a").level == 5
