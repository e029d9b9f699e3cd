"""The SIECLE / agricultural CSV parser, on the corpus of real files of tests/orga/siecle_corpus and on generated ones.

No database: the parser is pure Python.
"""

import datetime
import io
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from orga.pupils import siecle
from orga.pupils.siecle import (
    FORMAT_HELP,
    MAX_FILE_BYTES,
    ParseResult,
    SiecleFileError,
    SiecleStudent,
    parse_pupils_file,
    read_zip_entry_capped,
)
from orga.pupils.siecle_sample import (
    CSV_HEADER,
    SamplePupil,
    agricultural_csv,
    generated_pupils,
    siecle_xml,
    siecle_zip,
)

from .siecle_corpus import make_corpus

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "siecle_corpus"
UAI = "0751234J"
REEXPORT = "Refaites l'export depuis SIECLE et déposez-le sans l'ouvrir ni le modifier."
DOCTYPE_REFUSED = "Le fichier contient une déclaration DOCTYPE/ENTITY interdite : il n'est pas un export SIECLE."
CORRUPT_ZIP = (
    "L'archive ZIP est illisible : elle est corrompue ou incomplète (téléchargement interrompu ?). " + REEXPORT
)


def read(name):
    return (CORPUS / name).read_bytes()


def refusal(data, filename, expected_uai=UAI):
    with pytest.raises(SiecleFileError) as caught:
        parse_pupils_file(data, filename, expected_uai)
    assert str(caught.value) == "\n".join(caught.value.messages)
    return caught.value.messages


def student(**values):
    defaults = {
        "middle_name": "",
        "third_name": "",
        "preferred_last_name": "",
        "birth_department_code": "",
        "birth_city_code": "",
        "birth_city": "",
        "birth_country_code": "100",
        "status": "ST",
    }
    return SiecleStudent(**{**defaults, **values})


# ----------------------------------------------------------------------------------------------- the corpus


def test_corpus_files_are_small_and_up_to_date():
    expected = make_corpus.corpus()
    on_disk = {path.name for path in CORPUS.iterdir() if path.is_file() and path.suffix != ".py"}
    assert on_disk == set(expected)
    for name, content in expected.items():
        assert read(name) == content, f"{name} : relancez make_corpus.py"
        assert len(content) < 200 * 1024, name


def test_good_xml_keeps_accents_divisions_and_skips_with_reasons():
    data = read("good_iso8859-15.xml")
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="3.1">')
    assert b"LEB\xbcUF" in data  # Œ is 0xBC in ISO-8859-15 (absent from latin-1, where 0xBC is ¼)

    result = parse_pupils_file(data, "ElevesSansAdresses.xml", expected_uai=" 0751234j ")

    assert (result.format, result.uai, result.school_year) == ("xml", UAI, "2026")
    ids = [f"élève ELEVE_ID={2461000 + 3 * index + 1}" for index in range(10)]
    mef_3e, mef_4e = "10310019110", "10210001110"
    assert result.students == [
        student(
            ine="123456789AB",
            last_name="LEBŒUF",
            preferred_last_name="LEBŒUF-GARÇON",
            first_name="Zoé",
            middle_name="Françoise",
            third_name="Hélène",
            birthdate=datetime.date(2012, 3, 14),
            sex="F",
            birth_department_code="075",
            birth_city_code="75056",
            mef_code=mef_3e,
            division="3e B",
            source=ids[0],
        ),
        student(
            ine="0987654321C",
            last_name="GARÇON",
            first_name="Loïc",
            birthdate=datetime.date(2012, 11, 2),
            sex="M",
            birth_department_code="067",
            birth_city_code="67482",
            mef_code=mef_3e,
            division="3e B",  # not the group "3e LATIN" listed before it
            source=ids[1],
        ),
        student(
            ine="1234567890D",
            last_name="BENALI",
            first_name="Inès",
            birthdate=datetime.date(2012, 6, 30),
            sex="F",
            birth_country_code="350",
            birth_city="CASABLANCA",
            mef_code=mef_3e,
            status="AP",
            division="3e A",
            source=ids[2],
        ),
        student(
            ine="2345678901E",
            last_name="MÜLLER",
            first_name="Jérôme",
            birthdate=datetime.date(2012, 1, 9),
            sex="M",
            birth_department_code="077",
            birth_city_code="77288",
            mef_code=mef_3e,
            division="3e A",  # "Inactifs" is not a class
            source=ids[3],
        ),
        student(
            ine="567890123HH",  # stripped and upper-cased
            last_name="FAURE",
            first_name="Gaëtan",
            birthdate=datetime.date(2011, 8, 19),
            sex="M",
            birth_department_code="033",
            birth_city_code="33063",
            mef_code=mef_4e,
            division="4e C",
            source=ids[7],
        ),
        student(
            ine="7890123456K",
            last_name="ŒUVRARD",
            first_name="Maëlle",
            birthdate=datetime.date(2011, 10, 1),
            sex="F",
            birth_department_code="031",
            birth_city_code="31555",
            mef_code=mef_4e,
            division="4e C",
            source=ids[9],
        ),
    ]
    assert [(s.name, s.reason, s.left) for s in result.skipped] == [
        ("DURAND Élodie", "a quitté l'établissement", True),  # not the raw DATE_SORTIE
        ("PETIT Noël", "sans INE", False),
        ("ROUSSEAU Cécile", "sans classe", False),  # only in "Inactifs"
        ("LAMBERT Chloé", "sans classe", False),  # only in a group
    ]


def test_good_zip_gives_the_same_pupils_as_the_xml():
    from_xml = parse_pupils_file(read("good_iso8859-15.xml"), "ElevesSansAdresses.xml", UAI)
    from_zip = parse_pupils_file(read("good.zip"), "ElevesSansAdresses.zip", UAI)
    assert from_zip == replace(from_xml, format="zip")


@pytest.mark.parametrize(
    ("name", "marker"), [("agri_utf8_bom.csv", b"\xef\xbb\xbf"), ("agri_cp1252.csv", b"LEB\x8cUF")]
)
def test_agricultural_csv_in_utf8_with_bom_or_cp1252(name, marker):
    data = read(name)
    assert marker in data  # the BOM, or Œ as cp1252 writes it

    result = parse_pupils_file(data, name, expected_uai=UAI)

    assert (result.format, result.uai, result.school_year) == ("csv", None, None)
    assert b";99100;" in data and b";99132;" in data  # INSEE's country codes, as in Pix's CSV...
    assert result.students == [  # ...stored as SIECLE's: 100, 132
        student(
            ine="123456789AB",
            last_name="LEBŒUF",
            first_name="Zoé",
            middle_name="Françoise",
            birthdate=datetime.date(2008, 3, 14),
            sex="F",
            birth_department_code="075",
            birth_city_code="75056",
            birth_city="PARIS",
            mef_code="27633201110",
            division="1re STAV",
            source="ligne 2",
        ),
        student(
            ine="0987654321C",
            last_name="GARÇON",
            first_name="Loïc",
            birthdate=datetime.date(2008, 11, 2),
            sex="M",
            birth_department_code="067",
            birth_city_code="67482",
            birth_city="STRASBOURG",
            mef_code="27633201110",
            status="AP",
            division="1re STAV",
            source="ligne 3",
        ),
        student(
            ine="1234567890D",
            last_name="BENALI",
            preferred_last_name="MARTIN",
            first_name="Inès",
            birthdate=datetime.date(2009, 6, 30),
            sex="F",
            birth_department_code="013",
            birth_city_code="13055",
            birth_city="MARSEILLE",
            mef_code="20010019110",
            division="2nde GT",
            source="ligne 4",
        ),
        student(
            ine="2345678901E",
            last_name="MÜLLER",
            first_name="Jérôme",
            birthdate=datetime.date(2009, 1, 9),
            sex="M",
            birth_country_code="132",
            birth_department_code="99",
            birth_city="LONDRES",
            mef_code="20010019110",
            division="2nde GT",
            source="ligne 5",
        ),
    ]
    assert result.skipped == []  # the CSV skips no row: each one is imported or refuses the file


# ----------------------------------------------------------------------------------------------- refused files


def test_empty_file():
    assert refusal(read("empty.xml"), "empty.xml") == ["Le fichier est vide."]


def test_wrong_uai_names_both_schools():
    assert refusal(read("wrong_uai.xml"), "ElevesSansAdresses.xml") == [
        "Le fichier concerne l'établissement 0693834T, et non le vôtre (0751234J) : vérifiez que vous avez "
        "exporté les élèves du bon établissement."
    ]


def test_file_without_uai_is_refused_when_the_school_is_known():
    data = read("good_iso8859-15.xml").replace(b"<UAJ>0751234J</UAJ>", b"<UAJ></UAJ>")
    assert refusal(data, "ElevesSansAdresses.xml") == [
        "Le fichier n'indique pas d'établissement (PARAMETRES/UAJ absent) : il n'est pas un export SIECLE "
        f"complet. {REEXPORT}"
    ]
    assert parse_pupils_file(data, "ElevesSansAdresses.xml").uai is None


def test_without_expected_uai_the_file_uai_is_returned():
    assert parse_pupils_file(read("wrong_uai.xml"), "ElevesSansAdresses.xml").uai == "0693834T"


def test_duplicate_ine_names_the_ine_and_both_pupils():
    assert refusal(read("duplicate_ine.xml"), "ElevesSansAdresses.xml") == [
        "L'INE 123456789AB apparaît deux fois : DUPONT Marie (ELEVE_ID 2461001) et DURAND Léo (ELEVE_ID 2461007). "
        "Corrigez SIECLE puis refaites l'export."
    ]


def test_bad_birth_dates_name_the_pupils():
    assert refusal(read("bad_birthdate.xml"), "ElevesSansAdresses.xml") == [
        "Date de naissance invalide « 31/02/2012 » (DATE_NAISS : jj/mm/aaaa attendu) pour DUPONT Marie "
        "(ELEVE_ID 2461001, INE 123456789AB).",
        "Date de naissance manquante (DATE_NAISS vide) pour MARTIN Hugo (ELEVE_ID 2461004, INE 2345678901E).",
        "Date de naissance invalide « 2012-04-01 » (DATE_NAISS : jj/mm/aaaa attendu) pour BERNARD Léa "
        "(ELEVE_ID 2461007, INE 3456789012F).",
    ]


LONG_NAME = "DUPONT" * 50
TOO_LONG = [
    f"le nom de famille a 300 caractères (au plus 100) pour {LONG_NAME[:39]}… Marie ({{}}INE 123456789AB).",
    "la classe a 80 caractères (au plus 50) pour MARTIN Hugo ({}INE 2345678901E).",
    "l'INE a 14 caractères (au plus 11) pour BERNARD Léa ({}INE 12345678901234).",
]


def test_values_longer_than_the_database_keeps_name_the_pupil_and_the_field():
    ids = (f"ELEVE_ID {2461000 + 3 * index + 1}, " for index in range(3))
    xml_messages = [message[0].upper() + message[1:].format(id_) for message, id_ in zip(TOO_LONG, ids, strict=True)]
    assert refusal(read("too_long_fields.xml"), "ElevesSansAdresses.xml") == xml_messages
    csv_messages = [f"Ligne {line} : {message.format('')}" for line, message in zip((2, 3, 4), TOO_LONG, strict=True)]
    assert refusal(read("agri_too_long_fields.csv"), "eleves.csv", None) == csv_messages


def test_a_nul_character_in_a_name_is_refused():
    assert refusal(read("agri_nul_in_name.csv"), "eleves.csv", None) == [
        f"{FORMAT_HELP} (Ce fichier contient des données binaires.)"
    ]


def test_nobody_to_import_says_why():
    assert refusal(read("nobody_to_import.xml"), "ElevesSansAdresses.xml") == [
        "Le fichier ne contient aucun élève à importer : 3 élèves ignorés "
        "(1 a quitté l'établissement, 1 sans INE, 1 sans classe)."
    ]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_doctype_and_entities_are_refused(name):
    data = read(name)
    assert b"<!ENTITY" in data
    assert refusal(data, name) == [DOCTYPE_REFUSED]


def test_doctype_is_refused_in_utf16_too():
    text = read("billion_laughs.xml").decode("ascii").replace('encoding="ISO-8859-15"', 'encoding="UTF-16"')
    data = text.encode("utf-16")
    assert b"<!DOCTYPE" not in data
    assert refusal(data, "ElevesSansAdresses.xml") == [DOCTYPE_REFUSED]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_doctype_is_refused_by_lxml_when_the_first_check_misses_it(name, monkeypatch):
    """Second line of defence: lxml expands nothing, and the parsed document's DOCTYPE is refused."""
    monkeypatch.setattr(siecle, "_has_forbidden_declaration", lambda data: False)
    assert refusal(read(name), "ElevesSansAdresses.xml") == [DOCTYPE_REFUSED]


def test_a_plain_doctype_is_refused_too():
    data = read("good_iso8859-15.xml").replace(b"<BEE_ELEVES ", b"<!DOCTYPE BEE_ELEVES>\n<BEE_ELEVES ", 1)
    assert refusal(data, "ElevesSansAdresses.xml") == [DOCTYPE_REFUSED]


def test_truncated_xml_names_the_last_line():
    data = read("truncated.xml")
    last_line = data.count(b"\n") + 1
    assert refusal(data, "ElevesSansAdresses.xml") == [
        f"Le fichier XML est incomplet (il s'arrête à la ligne {last_line}) : il a sans doute été tronqué pendant "
        f"le téléchargement. {REEXPORT}"
    ]


def test_latin1_bytes_declared_utf8_names_the_encoding_and_line():
    data = read("latin1_declared_utf8.xml")
    first_accent_line = next(n for n, line in enumerate(data.split(b"\n"), 1) if any(b > 127 for b in line))
    assert refusal(data, "ElevesSansAdresses.xml") == [
        "Le contenu du fichier XML ne correspond pas à l'encodage qu'il déclare (UTF-8) : caractère invalide à "
        f"la ligne {first_accent_line}. Le fichier a sans doute été ouvert puis réenregistré par un autre "
        f"logiciel. {REEXPORT}"
    ]


def test_unknown_declared_encoding():
    data = read("good_iso8859-15.xml").replace(b"ISO-8859-15", b"KLINGON-1", 1)
    assert refusal(data, "ElevesSansAdresses.xml") == [
        f"Le fichier XML déclare un encodage inconnu (KLINGON-1). {REEXPORT}"
    ]


def test_malformed_xml_names_the_line():
    data = b'<?xml version="1.0"?>\n<BEE_ELEVES>\n<PARAMETRES></DONNEES>\n</BEE_ELEVES>\n'
    assert refusal(data, "ElevesSansAdresses.xml") == [
        f"Le fichier n'est pas un XML valide (erreur à la ligne 3). {REEXPORT}"
    ]


def test_other_siecle_export_is_refused():
    assert refusal(read("nomenclatures.xml"), "Nomenclature.xml") == [
        "Ce fichier XML n'est pas un export SIECLE des élèves (BEE_ELEVES attendu) : "
        "dans SIECLE, exportez « ElevesSansAdresses »."
    ]


@pytest.mark.parametrize("name", ["image.png", "not_xml.xml", "plain_text.txt"])
def test_unknown_formats_are_refused(name):
    assert refusal(read(name), name) == [FORMAT_HELP]
    assert FORMAT_HELP == (
        "Format non reconnu : déposez l'export SIECLE ElevesSansAdresses.xml (ou .zip), "
        "ou le fichier CSV des lycées agricoles."
    )


def test_file_over_20_mb_is_refused_before_anything_else():
    too_big = b"PK\x03\x04" + bytes(MAX_FILE_BYTES - 3)
    [message] = refusal(too_big, "ElevesSansAdresses.zip")
    assert message.startswith("Le fichier est trop volumineux (20,0 Mo) : la taille maximale est de 20 Mo.")
    just_fits = too_big[:-1]
    assert refusal(just_fits, "ElevesSansAdresses.zip") == [CORRUPT_ZIP]


def test_zip_bomb_is_refused_by_its_declared_size():
    data = read("zip_bomb.zip")
    [info] = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert info.file_size > 100 * 1024 * 1024 > 200 * 1024 > len(data)
    assert refusal(data, "ElevesSansAdresses.zip") == [
        "Le fichier ElevesSansAdresses.xml de l'archive ZIP ferait 101,0 Mo une fois décompressé "
        "(maximum 100 Mo) : il ne peut pas s'agir d'un export SIECLE des élèves."
    ]


def zip_of_spaces(megabytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("ElevesSansAdresses.xml", b"<BEE_ELEVES>" + b" " * (megabytes * 1024 * 1024))
    return buffer.getvalue()


def test_zip_with_an_absurd_compression_ratio_is_refused():
    [message] = refusal(zip_of_spaces(20), "ElevesSansAdresses.zip")
    assert message.startswith(
        "Le fichier ElevesSansAdresses.xml de l'archive ZIP est compressé de façon anormale (20,0 Mo"
    )
    assert message.endswith("il ne peut pas s'agir d'un export SIECLE des élèves.")


def test_zip_whose_header_lies_about_its_size_is_never_expanded():
    data = bytearray(zip_of_spaces(5))
    lie = struct.pack("<I", 1000)
    local_header_size_at = 22  # compressed size at 18, uncompressed size at 22
    data[local_header_size_at : local_header_size_at + 4] = lie
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = lie
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0].file_size == 1000
    assert refusal(bytes(data), "ElevesSansAdresses.zip") == [CORRUPT_ZIP]


def test_zip_reading_stops_at_the_cap_whatever_the_header_says():
    archive = zipfile.ZipFile(io.BytesIO(zip_of_spaces(3)))
    [info] = archive.infolist()
    assert read_zip_entry_capped(archive, info, cap=1024 * 1024, chunk_size=64 * 1024) is None
    content = read_zip_entry_capped(archive, info, cap=4 * 1024 * 1024)
    assert len(content) == info.file_size == 3 * 1024 * 1024 + len(b"<BEE_ELEVES>")


def test_zip_with_two_xml_names_them():
    assert refusal(read("zip_two_xml.zip"), "ElevesSansAdresses.zip") == [
        "L'archive ZIP contient plusieurs fichiers XML (ElevesSansAdresses.xml, ElevesSansAdresses (1).xml) : "
        "elle ne doit contenir que l'export ElevesSansAdresses.xml."
    ]


def test_zip_without_xml_ignores_mac_and_hidden_files():
    names = zipfile.ZipFile(io.BytesIO(read("zip_no_xml.zip"))).namelist()
    assert names == ["__MACOSX/._ElevesSansAdresses.xml", ".ElevesSansAdresses.xml", "lisez-moi.txt"]
    assert refusal(read("zip_no_xml.zip"), "ElevesSansAdresses.zip") == [
        "L'archive ZIP ne contient aucun fichier XML : elle doit contenir l'export ElevesSansAdresses.xml."
    ]


def test_zip_from_a_mac_keeps_its_single_real_xml():
    xml = read("good_iso8859-15.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("__MACOSX/export/._ElevesSansAdresses.xml", b"\x00\x05\x16\x07")
        archive.writestr("export/.DS_Store.xml", b"junk")
        archive.writestr("export/ElevesSansAdresses.xml", xml)
    result = parse_pupils_file(buffer.getvalue(), "export.zip", UAI)
    assert result.format == "zip"
    assert [s.ine for s in result.students] == [s.ine for s in parse_pupils_file(xml, "e.xml").students]


def test_zip_with_a_password_is_refused():
    data = bytearray(read("good.zip"))
    data[6] |= 0x01  # "encrypted" flag of the local header...
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 0x01  # ...and of the central directory
    assert refusal(bytes(data), "ElevesSansAdresses.zip") == [
        "L'archive ZIP est protégée par un mot de passe : déposez l'export SIECLE sans mot de passe."
    ]


@pytest.mark.parametrize("name", ["zip_truncated.zip", "zip_corrupt.zip"])
def test_corrupt_or_truncated_zip(name):
    assert refusal(read(name), "ElevesSansAdresses.zip") == [CORRUPT_ZIP]


def test_csv_with_wrong_headers_lists_missing_and_unknown_columns():
    messages = refusal(read("agri_bad_headers.csv"), "eleves.csv")
    assert messages == [
        "Colonnes manquantes dans l'en-tête : « Code MEF* », « Division* ».",
        "Colonnes inconnues dans l'en-tête : « Classe ».",
        "La première ligne doit contenir exactement ces colonnes : " + ";".join(CSV_HEADER),
    ]


def test_csv_errors_name_their_line():
    assert refusal(read("agri_errors.csv"), "eleves.csv") == [
        "Ligne 3 : date de naissance invalide « 32/01/2008 » (colonne « Date de naissance (jj/mm/aaaa)* » : "
        "jj/mm/aaaa attendu) pour MARTIN Hugo (INE 2345678901E).",
        "Ligne 5 : code sexe « X » invalide (colonne « Code sexe* » : M ou F attendu) pour BERNARD Léa "
        "(INE 3456789012F).",
        "Ligne 6 : nom de famille manquant (colonne « Nom de famille* » vide) pour Jules (INE 4567890123G).",
        "L'INE 123456789AB apparaît deux fois : DUPONT Marie à la ligne 2 et DURAND Léo à la ligne 4. "
        "Corrigez le fichier puis déposez-le à nouveau.",
    ]


# ----------------------------------------------------------------------------------------------- rules, in detail


def pupil(ine, last_name, first_name, division="3e A", **extra):
    return SamplePupil(
        ine=ine,
        last_name=last_name,
        first_name=first_name,
        middle_name="",
        birthdate=datetime.date(2012, 5, 1),
        sex="F",
        division=division,
        mef_code="10310019110",
        **extra,
    )


def test_sex_codes():
    pupils = [pupil("1", "A", "a", sex_code="1"), pupil("2", "B", "b", sex_code="2")]
    result = parse_pupils_file(siecle_xml(UAI, pupils), "e.xml")
    assert [s.sex for s in result.students] == ["M", "F"]
    # SIECLE writes 1 or 2: another code is refused rather than stored as an empty sex.
    assert refusal(siecle_xml(UAI, [pupil("3", "C", "c", sex_code="9")]), "e.xml", None) == [
        "Code sexe « 9 » invalide (CODE_SEXE : 1 ou 2 attendu) pour C c (ELEVE_ID 2461001, INE 3)."
    ]

    codes = ("1", "f", "", "Masculin", "féminin")
    csv_pupils = [pupil(str(n), "A", "a", sex_code=code) for n, code in enumerate(codes)]
    result = parse_pupils_file(agricultural_csv(csv_pupils), "e.csv")
    assert [s.sex for s in result.students] == ["M", "F", "F", "M", "F"]


def test_an_ine_present_three_times():
    pupils = [
        pupil("111", "A", "Anne"),
        pupil("222", "B", "Bob"),
        pupil("111", "C", "Céline"),
        pupil("111", "D", "Dan"),
    ]
    assert refusal(siecle_xml(UAI, pupils), "e.xml") == [
        "L'INE 111 apparaît 3 fois : A Anne (ELEVE_ID 2461001), C Céline (ELEVE_ID 2461007) et D Dan "
        "(ELEVE_ID 2461010). Corrigez SIECLE puis refaites l'export."
    ]


def test_a_pupil_who_left_does_not_count_as_a_duplicate():
    pupils = [pupil("111", "A", "Anne"), pupil("111", "A", "Anne")]
    result = parse_pupils_file(siecle_xml(UAI, pupils, left=[0]), "e.xml")
    assert [(s.ine, s.source) for s in result.students] == [("111", "élève ELEVE_ID=2461004")]


def test_missing_names_are_errors():
    pupils = [pupil("111", "", "Anne"), pupil("222", "DUPONT", ""), pupil("333", "MARTIN", "Léo")]
    assert refusal(siecle_xml(UAI, pupils), "e.xml") == [
        "Nom de famille manquant (NOM_DE_FAMILLE vide) pour Anne (ELEVE_ID 2461001, INE 111).",
        "Prénom manquant (PRENOM vide) pour DUPONT (ELEVE_ID 2461004, INE 222).",
    ]


def test_errors_are_capped_with_a_count_of_the_rest():
    pupils = [pupil(f"{n:011d}", "DUPONT", f"Élève{n}", raw_birthdate="00/00/2012") for n in range(250)]
    with pytest.raises(SiecleFileError) as caught:
        parse_pupils_file(siecle_xml(UAI, pupils), "e.xml")
    messages = caught.value.messages
    assert caught.value.count == 250  # every error is counted...
    assert len(messages) == 101  # ...the first 100 listed
    assert messages[0] == (
        "Date de naissance invalide « 00/00/2012 » (DATE_NAISS : jj/mm/aaaa attendu) pour DUPONT Élève0 "
        "(ELEVE_ID 2461001, INE 00000000000)."
    )
    assert messages[-1] == "… et 150 autres erreurs."
    # 101 errors are all listed: a line "… et 1 autres erreurs." would say less than the error it hides.
    with pytest.raises(SiecleFileError) as caught:
        parse_pupils_file(siecle_xml(UAI, pupils[:101]), "e.xml")
    assert (caught.value.count, len(caught.value.messages)) == (101, 101)


def test_real_noise_is_ignored_and_last_year_is_not_this_year():
    pupils = generated_pupils(40, ["5e A", "5e B"])
    noisy = siecle_xml(UAI, pupils)
    for element in (b"<DATE_ENTREE>", b"<ADHESION_TRANSPORT>", b"<SCOLARITE_AN_DERNIER>", b"<CODE_RNE>", b"<OPTIONS>"):
        assert element in noisy
    assert b"<CODE_MEF>10010012110</CODE_MEF>" in noisy  # last year's (6e) MEF, inside SCOLARITE_AN_DERNIER
    plain = siecle_xml(UAI, pupils, extra_noise=False)
    assert b"<SCOLARITE_AN_DERNIER>" not in plain
    students = parse_pupils_file(noisy, "e.xml").students
    assert students == parse_pupils_file(plain, "e.xml").students
    assert {s.mef_code for s in students} == {"10110001110"}  # 5e
    assert [(s.ine, s.last_name, s.first_name, s.birthdate, s.sex, s.division) for s in students] == [
        (p.ine, p.last_name, p.first_name, p.birthdate, p.sex, p.division) for p in pupils
    ]
    abroad = [s for s in students if s.birth_country_code != "100"]
    assert abroad
    assert all(s.birth_city and not s.birth_city_code for s in abroad)
    assert all(s.birth_city_code and s.birth_department_code for s in students if s.birth_country_code == "100")


def test_format_is_read_from_the_content_not_the_name():
    xml = read("good_iso8859-15.xml")
    assert parse_pupils_file(xml, "eleves.zip").format == "xml"
    assert parse_pupils_file(b"\r\n  " + xml, "eleves").format == "xml"
    utf8 = xml.decode("iso-8859-15").replace("ISO-8859-15", "UTF-8").encode()
    with_bom = parse_pupils_file(b"\xef\xbb\xbf \n" + utf8, "eleves")
    assert with_bom == parse_pupils_file(xml, "eleves")
    assert parse_pupils_file(read("good.zip"), "ElevesSansAdresses.xml").format == "zip"
    assert parse_pupils_file(read("agri_utf8_bom.csv"), "eleves.txt").format == "csv"
    assert parse_pupils_file(read("agri_cp1252.csv"), "eleves").format == "csv"


def test_csv_saved_as_unicode_text_by_excel():
    data = read("agri_utf8_bom.csv").decode("utf-8-sig").encode("utf-16")
    assert parse_pupils_file(data, "eleves.txt") == parse_pupils_file(read("agri_utf8_bom.csv"), "eleves.csv")


def test_csv_columns_may_come_in_any_order():
    rows = [
        "Division*;Code MEF*;Statut*;Code pays naissance*;Code département naissance*;Libellé commune naissance**;"
        "Code commune naissance**;Date de naissance (jj/mm/aaaa)*;Code sexe*;Nom d'usage;Nom de famille*;"
        "Troisième prénom;Deuxième prénom;Premier prénom*;Identifiant unique*;;",
        "2nde  GT ; 21110010110;st;99100;069;LYON;69123;7/3/2009;2;;  Dupont ;;;Marie;123456789ab;;",
        ";;;;;;;;;;;;;;;;",
    ]
    result = parse_pupils_file("\n".join(rows).encode(), "eleves.csv")
    assert result.students == [
        student(
            ine="123456789AB",
            last_name="Dupont",
            first_name="Marie",
            birthdate=datetime.date(2009, 3, 7),
            sex="F",
            birth_department_code="069",
            birth_city_code="69123",
            birth_city="LYON",
            mef_code="21110010110",
            division="2nde GT",
            source="ligne 2",
        )
    ]


def test_csv_separated_by_commas_gets_a_hint():
    data = ",".join(CSV_HEADER).encode("utf-8") + b"\r\n"
    messages = refusal(data, "eleves.csv")
    assert messages[0] == (
        "Ligne 1 : les colonnes doivent être séparées par des points-virgules (;), "
        "pas par des virgules ni des tabulations."
    )


def test_csv_with_only_a_header_has_nobody_to_import():
    data = ";".join(CSV_HEADER).encode("utf-8-sig") + b"\r\n"
    assert refusal(data, "eleves.csv") == ["Le fichier ne contient aucun élève à importer."]


def test_csv_row_with_too_many_values():
    data = agricultural_csv([pupil("111", "DUPONT", "Marie")]).replace(b"3e A\r\n", b"3e A;en trop;;\r\n")
    assert refusal(data, "eleves.csv") == ["Ligne 2 : 16 valeurs au lieu de 15 (un point-virgule en trop ?)."]


def test_progress_is_reported_every_200_pupils_and_at_the_end():
    calls = []
    pupils = generated_pupils(450, 3)
    parse_pupils_file(siecle_xml(UAI, pupils), "e.xml", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(200, 450), (400, 450), (450, 450)]
    calls.clear()
    parse_pupils_file(agricultural_csv(pupils), "e.csv", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(200, 450), (400, 450), (450, 450)]


def test_generated_pupils_spread_evenly():
    pupils = generated_pupils(3000, 50)
    assert len(pupils) == 3000
    assert len({p.ine for p in pupils}) == 3000
    counts = {}
    for p in pupils:
        counts[p.division] = counts.get(p.division, 0) + 1
    assert len(counts) == 50
    assert set(counts.values()) == {60}
    few = generated_pupils(10, ["6e A", "6e B", "6e C"])
    assert [p.division for p in few] == ["6e A"] * 4 + ["6e B"] * 3 + ["6e C"] * 3


def test_3000_pupils_in_50_classes_parse():
    pupils = generated_pupils(3000, 50)
    data = siecle_zip(siecle_xml(UAI, pupils, left=range(0, 3000, 100), no_division=[1, 2]))
    result = parse_pupils_file(data, "ElevesSansAdresses.zip", expected_uai=UAI)  # timed in bench/import_siecle.py
    assert isinstance(result, ParseResult)
    assert len(result.students) == 3000 - 30 - 2
    assert len({s.division for s in result.students}) == 50
    assert [s.reason for s in result.skipped].count("sans classe") == 2


# ----------------------------------------------------------------------------------------------- Pix's rules (issue 13)


def test_siecle_rules_refuse_the_file_naming_every_pupil_and_field():
    """xml_rules.xml: an empty ID_NATIONAL, an empty CODE_SEXE, born in France without CODE_COMMUNE_INSEE_NAISS,
    a pupil with two faults and a pupil without a class (checked all the same, as Pix does) — all listed at once."""
    assert refusal(read("xml_rules.xml"), "ElevesSansAdresses.xml") == [
        "INE manquant (ID_NATIONAL vide) pour VIDE Ine (ELEVE_ID 2461004).",
        "Sexe manquant (CODE_SEXE vide) pour SANS Sexe (ELEVE_ID 2461010, INE 2345678901E).",
        "Code commune de naissance manquant alors que l'élève est né en France (CODE_COMMUNE_INSEE_NAISS vide) "
        "pour NÉE Enfrance (ELEVE_ID 2461013, INE 3456789012F).",
        "Code commune de naissance manquant alors que l'élève est né en France (CODE_COMMUNE_INSEE_NAISS vide) "
        "pour DEUX Fautes (ELEVE_ID 2461019, INE 5678901234H).",
        "Sexe manquant (CODE_SEXE vide) pour DEUX Fautes (ELEVE_ID 2461019, INE 5678901234H).",
        "Sexe manquant (CODE_SEXE vide) pour SANS Classe (ELEVE_ID 2461022, INE 6789012345J).",
    ]


def xml_rules_file(*indexes):
    """xml_rules.xml's pupils kept to `indexes` (the pupil who left and the one without a class stay so)."""
    pupils = make_corpus.xml_rules_pupils()
    return siecle_xml(
        UAI,
        [pupils[index] for index in indexes],
        left=[rank for rank, index in enumerate(indexes) if index in make_corpus.XML_RULES_LEFT],
        no_division=[rank for rank, index in enumerate(indexes) if index in make_corpus.XML_RULES_NO_DIVISION],
    )


@pytest.mark.parametrize(
    ("index", "element"),
    [(1, b"<ID_NATIONAL></ID_NATIONAL>"), (3, b"<CODE_SEXE></CODE_SEXE>"), (4, b"<CODE_PAYS>100</CODE_PAYS>")],
)
def test_each_siecle_rule_alone_refuses_the_file(index, element):
    data = xml_rules_file(0, index)
    assert element in data
    if index == 4:
        assert data.count(b"<CODE_COMMUNE_INSEE_NAISS>") == 1  # the first pupil's, born in France too
    [message] = refusal(data, "ElevesSansAdresses.xml")
    assert "ELEVE_ID 2461004" in message  # the second pupil of the file
    assert parse_pupils_file(xml_rules_file(0), "e.xml").students[0].ine == "123456789AB"


def test_a_file_with_two_faults_names_both():
    messages = refusal(xml_rules_file(0, 1, 3), "ElevesSansAdresses.xml")
    assert messages == [
        "INE manquant (ID_NATIONAL vide) pour VIDE Ine (ELEVE_ID 2461004).",
        "Sexe manquant (CODE_SEXE vide) pour SANS Sexe (ELEVE_ID 2461007, INE 2345678901E).",
    ]


def test_without_id_national_a_pupil_is_skipped_and_a_pupil_who_left_is_not_checked():
    result = parse_pupils_file(xml_rules_file(0, 2, 5), "e.xml", UAI)
    assert [s.ine for s in result.students] == ["123456789AB"]
    assert [(s.name, s.reason) for s in result.skipped] == [
        ("PAS Arrivé", "sans INE"),
        ("PARTIE Sanssexe", "a quitté l'établissement"),
    ]


def test_a_pupil_born_abroad_needs_no_city_code():
    abroad = pupil("111", "LOIN", "Né", birth_country_code="132", birth_city="LONDRES")
    [student] = parse_pupils_file(siecle_xml(UAI, [abroad]), "e.xml").students
    assert (student.birth_country_code, student.birth_city_code, student.birth_city) == ("132", "", "LONDRES")


def test_birth_department_is_kept():
    born = pupil("111", "DUPONT", "Marie", birth_country_code="100", birth_department_code="02A",
                 birth_city_code="2A004", birth_city="AJACCIO")  # fmt: skip
    [from_xml] = parse_pupils_file(siecle_xml(UAI, [born]), "e.xml").students
    [from_csv] = parse_pupils_file(agricultural_csv([born]), "e.csv").students
    assert from_xml.birth_department_code == from_csv.birth_department_code == "02A"
    assert from_xml.birth_country_code == from_csv.birth_country_code == "100"
    assert from_csv.birth_city_code == "2A004"


def test_agricultural_csv_rules_refuse_the_file_naming_every_line():
    """agri_rules.csv: a row each, for every rule of Pix's agricultural CSV (line 2 is a good one)."""
    messages = refusal(read("agri_rules.csv"), "eleves.csv")
    assert messages == [
        "Ligne 3 : INE manquant (colonne « Identifiant unique* » vide) pour SANS Identifiant.",
        "Ligne 4 : code commune de naissance manquant alors que l'élève est né en France (colonne « Code commune "
        "naissance** » vide) pour SANS Commune (INE 2345678901E).",
        "Ligne 5 : commune de naissance manquante alors que l'élève est né à l'étranger (colonne « Libellé commune "
        "naissance** » vide) pour SANS Ville (INE 3456789012F).",
        "Ligne 6 : code pays de naissance « 100 » invalide (colonne « Code pays naissance* » : code INSEE à 5 "
        "chiffres attendu, 99100 pour la France) pour PAYS Siecle (INE 4567890123G).",
        "Ligne 7 : sexe manquant (colonne « Code sexe* » vide) pour SANS Sexe (INE 5678901234H).",
        "Ligne 8 : code MEF manquant (colonne « Code MEF* » vide) pour SANS Classe (INE 6789012345J).",
        "Ligne 8 : classe manquante (colonne « Division* » vide) pour SANS Classe (INE 6789012345J).",
        "Ligne 9 : statut « X » invalide (colonne « Statut* » : ST ou AP attendu) pour STATUT Inconnu "
        "(INE 7890123456K).",
        "Ligne 10 : code département de naissance manquant (colonne « Code département naissance* » vide) pour "
        "SANS Département (INE 8901234567L).",
        "Ligne 11 : code commune de naissance « 6912 » invalide (colonne « Code commune naissance** » : code "
        "INSEE à 5 caractères attendu) pour COMMUNE Invalide (INE 9012345678M).",
    ]


def test_an_agricultural_csv_row_without_identifier_refuses_the_file():
    rows = [pupil("111", "DUPONT", "Marie"), pupil("", "SANS", "Identifiant")]
    assert refusal(agricultural_csv(rows), "eleves.csv", None) == [
        "Ligne 3 : INE manquant (colonne « Identifiant unique* » vide) pour SANS Identifiant."
    ]


@pytest.mark.parametrize("name", ["good_iso8859-15.xml", "good.zip"])
def test_an_agricultural_school_refuses_siecle_export_saying_which_file_it_expects(name):
    kind = "archive ZIP" if name.endswith(".zip") else "fichier XML"
    with pytest.raises(SiecleFileError) as caught:
        parse_pupils_file(read(name), name, UAI, agricultural=True)
    assert caught.value.messages == [
        f"Ce fichier est un export SIECLE ({kind}) : votre établissement est un lycée agricole, qui importe ses "
        "élèves avec le fichier CSV (séparateur « ; », colonnes « Identifiant unique* » … « Division* »). "
        "Déposez ce fichier CSV."
    ]
    assert parse_pupils_file(read(name), name, UAI, agricultural=False).students


def test_a_siecle_school_refuses_the_agricultural_csv_saying_which_file_it_expects():
    with pytest.raises(SiecleFileError) as caught:
        parse_pupils_file(read("agri_utf8_bom.csv"), "eleves.csv", UAI, agricultural=False)
    assert caught.value.messages == [
        "Ce fichier est un fichier CSV : seuls les lycées agricoles importent leurs élèves par un CSV. Votre "
        "établissement importe les siens depuis SIECLE : déposez l'export ElevesSansAdresses.xml (ou le .zip) tel "
        "que SIECLE le donne."
    ]
    assert len(parse_pupils_file(read("agri_utf8_bom.csv"), "eleves.csv", UAI, agricultural=True).students) == 4
