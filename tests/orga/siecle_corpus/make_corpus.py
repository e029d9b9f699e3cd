"""Regenerate the SIECLE corpus of this folder: good files and every bad input the import must refuse.

    cd /work/main && .venv/bin/python tests/orga/siecle_corpus/make_corpus.py

Deterministic: running it again gives the same bytes (tests/orga/test_siecle.py checks it).
"""

import datetime
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from orga.pupils.demo_people import MEF_BY_GRADE  # noqa: E402
from orga.pupils.siecle import CSV_COLUMNS  # noqa: E402
from orga.pupils.siecle_sample import SamplePupil, agricultural_csv, siecle_xml, siecle_zip  # noqa: E402

UAI = "0751234J"
OTHER_UAI = "0693834T"
ZIP_DATE = (2026, 9, 15, 10, 42, 16)


def pupil(ine, last_name, first_name, birthdate, sex="F", division="3e B", **extra):
    return SamplePupil(
        ine=ine,
        last_name=last_name,
        first_name=first_name,
        middle_name=extra.pop("middle_name", ""),
        birthdate=datetime.date.fromisoformat(birthdate),
        sex=sex,
        division=division,
        mef_code=extra.pop("mef_code", MEF_BY_GRADE.get(division[:2], "")),
        **extra,
    )


def good_pupils():
    """Ten pupils, each checking one rule; the indexes matter (see `GOOD_LEFT`)."""
    return [
        # 0: accents of ISO-8859-15 that latin-1 lacks (œ), a usage name, three first names.
        pupil(
            "123456789AB",
            "LEBŒUF",
            "Zoé",
            "2012-03-14",
            middle_name="Françoise",
            third_name="Hélène",
            preferred_last_name="LEBŒUF-GARÇON",
        ),
        # 1: a group (G) before the class (D).
        pupil("0987654321C", "GARÇON", "Loïc", "2012-11-02", sex="M", structures=(("3e LATIN", "G"), ("3e B", "D"))),
        # 2: born abroad, apprentice.
        pupil(
            "1234567890D",
            "BENALI",
            "Inès",
            "2012-06-30",
            division="3e A",
            birth_country_code="350",
            birth_city="CASABLANCA",
            status="AP",
        ),
        # 3: moved to the "Inactifs" division before getting a real one.
        pupil("2345678901E", "MÜLLER", "Jérôme", "2012-01-09", sex="M", structures=(("Inactifs", "D"), ("3e A", "D"))),
        # 4: left the school (DATE_SORTIE): skipped.
        pupil("3456789012F", "DURAND", "Élodie", "2012-05-05"),
        # 5: no ID_NATIONAL element (not arrived yet): skipped.
        pupil(None, "PETIT", "Noël", "2012-12-25", sex="M"),
        # 6: only in "Inactifs": no class, skipped.
        pupil("4567890123G", "ROUSSEAU", "Cécile", "2012-07-14", structures=(("Inactifs", "D"),)),
        # 7: INE written in lower case with spaces; born in Bordeaux.
        pupil(
            " 567890123hh ",
            "FAURE",
            "Gaëtan",
            "2011-08-19",
            sex="M",
            division="4e C",
            birth_country_code="100",
            birth_department_code="033",
            birth_city_code="33063",
            birth_city="BORDEAUX",
        ),
        # 8: only in a group: no class, skipped.
        pupil("6789012345J", "LAMBERT", "Chloé", "2012-02-29", structures=(("3e LATIN", "G"),)),
        # 9: a plain pupil.
        pupil("7890123456K", "ŒUVRARD", "Maëlle", "2011-10-01", division="4e C"),
    ]


GOOD_LEFT = (4,)


def zip_of(entries):
    """A zip of (name, bytes) with fixed dates, so that the bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def zip_bomb():
    """A well-formed start of export followed by 101 Mo of spaces: about 100 Ko once deflated."""
    head = (
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="3.1">\n'
        b"<PARAMETRES><UAJ>0751234J</UAJ></PARAMETRES><DONNEES><ELEVES>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        info = zipfile.ZipInfo("ElevesSansAdresses.xml", date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(head)
            block = b" " * (1024 * 1024)
            for _ in range(101):
                stream.write(block)
            stream.write(b"</ELEVES></DONNEES></BEE_ELEVES>\n")
    return buffer.getvalue()


def billion_laughs():
    entities = ['  <!ENTITY lol0 "lol">']
    entities += [f'  <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n<!DOCTYPE BEE_ELEVES [\n'
        + "\n".join(entities)
        + '\n]>\n<BEE_ELEVES VERSION="3.1"><PARAMETRES><UAJ>0751234J</UAJ></PARAMETRES><DONNEES><ELEVES>'
        '<ELEVE ELEVE_ID="1"><ID_NATIONAL>123456789AB</ID_NATIONAL><NOM_DE_FAMILLE>&lol9;</NOM_DE_FAMILLE>'
        "</ELEVE></ELEVES></DONNEES></BEE_ELEVES>\n"
    ).encode("ascii")


def external_entity():
    return (
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        b'<!DOCTYPE BEE_ELEVES [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        b'<BEE_ELEVES VERSION="3.1"><PARAMETRES><UAJ>0751234J</UAJ></PARAMETRES><DONNEES><ELEVES>'
        b'<ELEVE ELEVE_ID="1"><ID_NATIONAL>123456789AB</ID_NATIONAL><NOM_DE_FAMILLE>&xxe;</NOM_DE_FAMILLE>'
        b"<PRENOM>Marie</PRENOM><DATE_NAISS>14/03/2012</DATE_NAISS></ELEVE></ELEVES>"
        b'<STRUCTURES><STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE><CODE_STRUCTURE>3e B</CODE_STRUCTURE>'
        b"<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE></STRUCTURES></DONNEES></BEE_ELEVES>\n"
    )


def duplicate_pupils():
    return [
        pupil("123456789AB", "DUPONT", "Marie", "2012-03-14"),
        pupil("2345678901E", "MARTIN", "Hugo", "2012-04-01", sex="M"),
        pupil("123456789AB", "DURAND", "Léo", "2012-09-23", sex="M", division="3e A"),
    ]


def bad_birthdate_pupils():
    return [
        pupil("123456789AB", "DUPONT", "Marie", "2012-03-14", raw_birthdate="31/02/2012"),
        pupil("2345678901E", "MARTIN", "Hugo", "2012-04-01", sex="M", raw_birthdate=""),
        pupil("3456789012F", "BERNARD", "Léa", "2012-04-01", raw_birthdate="2012-04-01"),
        pupil("4567890123G", "THOMAS", "Jules", "2012-10-10", sex="M"),
    ]


def too_long_pupils():
    """Values longer than the database keeps: each pupil is named in the refusal, with the field."""
    return [
        pupil("123456789AB", "DUPONT" * 50, "Marie", "2012-03-14"),  # a 300-character surname
        pupil("2345678901E", "MARTIN", "Hugo", "2012-04-01", sex="M", division="3e " + "B" * 77),  # 80 characters
        pupil("12345678901234", "BERNARD", "Léa", "2012-04-01"),  # a 14-character INE
        pupil("4567890123G", "THOMAS", "Jules", "2012-10-10", sex="M"),
    ]


STAV, SECONDE = "1re STAV", "2nde GT"
MEF_STAV, MEF_SECONDE = "27633201110", "20010019110"


def agri(ine, last_name, first_name, birthdate, sex="F", division=STAV, **extra):
    """A pupil of an agricultural school, with a class and its MEF code (both required in the CSV)."""
    mef_code = extra.pop("mef_code", MEF_SECONDE if division == SECONDE else MEF_STAV)
    return pupil(ine, last_name, first_name, birthdate, sex, division, mef_code=mef_code, **extra)


def agricultural_pupils():
    """Born in Paris, Strasbourg (both 99100 in the file: stored as 100), Marseille, and in London (99132)."""
    return [
        agri("123456789AB", "LEBŒUF", "Zoé", "2008-03-14", middle_name="Françoise"),
        agri("0987654321C", "GARÇON", "Loïc", "2008-11-02", sex="M", status="AP"),
        agri("1234567890D", "BENALI", "Inès", "2009-06-30", division=SECONDE, preferred_last_name="MARTIN"),
        agri(
            "2345678901E",
            "MÜLLER",
            "Jérôme",
            "2009-01-09",
            sex="M",
            division=SECONDE,
            birth_country_code="132",
            birth_city="LONDRES",
        ),
    ]


def agricultural_errors():
    """A CSV whose errors are on known lines (line 1 is the header)."""
    return agricultural_csv(
        [
            agri("123456789AB", "DUPONT", "Marie", "2008-03-14"),  # line 2
            agri("2345678901E", "MARTIN", "Hugo", "2008-04-01", "M", raw_birthdate="32/01/2008"),  # line 3
            agri("123456789AB", "DURAND", "Léo", "2008-09-23", "M"),  # line 4: same INE as line 2
            agri("3456789012F", "BERNARD", "Léa", "2008-04-01", sex_code="X"),  # line 5
            agri("4567890123G", "", "Jules", "2008-10-10", "M"),  # line 6
            agri("5678901234H", "ROBERT", "Anaïs", "2008-06-06"),  # line 7: fine
        ]
    )


def agricultural_rules():
    """One row a rule of Pix's agricultural CSV, each broken once (line 1 is the header)."""
    france = {"birth_country_code": "100", "birth_department_code": "069"}
    return agricultural_csv(
        [
            agri("123456789AB", "DUPONT", "Marie", "2008-03-14"),  # line 2: fine
            agri("", "SANS", "Identifiant", "2008-03-14"),  # line 3
            agri("2345678901E", "SANS", "Commune", "2008-03-14", **france, birth_city="LYON"),  # line 4
            agri("3456789012F", "SANS", "Ville", "2008-03-14", birth_country_code="132"),  # line 5: born abroad
            agri("4567890123G", "PAYS", "Siecle", "2008-03-14", raw_csv_country="100"),  # line 6: SIECLE's code
            agri("5678901234H", "SANS", "Sexe", "2008-03-14", sex=""),  # line 7
            agri("6789012345J", "SANS", "Classe", "2008-03-14", division="", mef_code=""),  # line 8
            agri("7890123456K", "STATUT", "Inconnu", "2008-03-14", status="X"),  # line 9
            agri(
                "8901234567L",
                "SANS",
                "Département",
                "2008-03-14",
                **{**france, "birth_department_code": ""},
                birth_city_code="69123",
            ),  # line 10
            agri("9012345678M", "COMMUNE", "Invalide", "2008-03-14", **france, birth_city_code="6912"),  # line 11
        ]
    )


def xml_rules_pupils():
    """Pix's rules of SIECLE's XML, each broken once; the pupils kept in the import are checked."""
    france = {"birth_country_code": "100", "birth_department_code": "069"}
    return [
        pupil("123456789AB", "DUPONT", "Marie", "2012-03-14"),  # 0: fine
        pupil("", "VIDE", "Ine", "2012-03-14"),  # 1: an empty ID_NATIONAL
        pupil(None, "PAS", "Arrivé", "2012-03-14"),  # 2: no ID_NATIONAL at all: skipped, not an error
        pupil("2345678901E", "SANS", "Sexe", "2012-03-14", sex=""),  # 3: an empty CODE_SEXE
        pupil("3456789012F", "NÉE", "Enfrance", "2012-03-14", **france, birth_city="LYON"),  # 4: no commune
        pupil("4567890123G", "PARTIE", "Sanssexe", "2012-03-14", sex=""),  # 5: left (DATE_SORTIE): not checked
        pupil("5678901234H", "DEUX", "Fautes", "2012-03-14", sex="", **france),  # 6: no sex and no commune
        pupil("6789012345J", "SANS", "Classe", "2012-03-14", sex=""),  # 7: no class, checked all the same
    ]


XML_RULES_LEFT, XML_RULES_NO_DIVISION = (5,), (7,)


def bad_headers_csv():
    header = [*CSV_COLUMNS[:13], "Classe"]  # "Code MEF*" and "Division*" missing, an unknown "Classe"
    row = "123456789AB;Marie;;;DUPONT;;F;14/03/2008;75056;PARIS;075;99100;ST;1re STAV"
    return (";".join(header) + "\r\n" + row + "\r\n").encode("utf-8-sig")


def corpus():
    """{file name: bytes} of the whole corpus."""
    good = good_pupils()
    good_xml = siecle_xml(UAI, good, left=GOOD_LEFT)
    good_zip = siecle_zip(good_xml)
    latin1_as_utf8 = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + good_xml.decode("iso-8859-15").split("\n", 1)[1].replace("Œ", "OE").replace("œ", "oe")
    ).encode("latin-1")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    cut = len(good_zip) // 2
    corrupt_zip = bytearray(good_zip)
    for offset in range(60, 260):  # inside the deflated data, after the local header
        corrupt_zip[offset] ^= 0x5A
    return {
        # Good files.
        "good_iso8859-15.xml": good_xml,
        "good.zip": good_zip,
        "agri_utf8_bom.csv": agricultural_csv(agricultural_pupils()),
        "agri_cp1252.csv": agricultural_csv(agricultural_pupils(), encoding="cp1252"),
        # Refused files.
        "empty.xml": b"",
        "wrong_uai.xml": siecle_xml(OTHER_UAI, good, left=GOOD_LEFT),
        "duplicate_ine.xml": siecle_xml(UAI, duplicate_pupils()),
        "bad_birthdate.xml": siecle_xml(UAI, bad_birthdate_pupils()),
        "nobody_to_import.xml": siecle_xml(UAI, good[4:7], left=(0,)),
        "billion_laughs.xml": billion_laughs(),
        "external_entity.xml": external_entity(),
        "truncated.xml": good_xml[: len(good_xml) * 3 // 5],
        "latin1_declared_utf8.xml": latin1_as_utf8,
        "nomenclatures.xml": (
            b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_NOMENCLATURES VERSION="3.1"><PARAMETRES>'
            b"<UAJ>0751234J</UAJ></PARAMETRES><DONNEES><MEFS></MEFS></DONNEES></BEE_NOMENCLATURES>\n"
        ),
        "image.png": png,
        "not_xml.xml": png,
        "plain_text.txt": "Liste des élèves de 3e B\nDUPONT Marie\nDURAND Léo\n".encode(),
        "zip_bomb.zip": zip_bomb(),
        "zip_two_xml.zip": zip_of(
            [("ElevesSansAdresses.xml", good_xml), ("ElevesSansAdresses (1).xml", good_xml)],
        ),
        "zip_no_xml.zip": zip_of(
            [
                ("__MACOSX/._ElevesSansAdresses.xml", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"),
                (".ElevesSansAdresses.xml", good_xml),
                ("lisez-moi.txt", "Exporté depuis SIECLE le 15/09/2026".encode()),
            ]
        ),
        "zip_truncated.zip": good_zip[:cut],
        "zip_corrupt.zip": bytes(corrupt_zip),
        "agri_bad_headers.csv": bad_headers_csv(),
        "agri_errors.csv": agricultural_errors(),
        "too_long_fields.xml": siecle_xml(UAI, too_long_pupils()),
        "agri_too_long_fields.csv": agricultural_csv(
            [agri(p.ine, p.last_name, p.first_name, str(p.birthdate), p.sex, p.division) for p in too_long_pupils()]
        ),
        "agri_nul_in_name.csv": agricultural_csv([agri("123456789AB", "DUP\x00ONT", "Marie", "2012-03-14")]),
        "agri_rules.csv": agricultural_rules(),
        "xml_rules.xml": siecle_xml(UAI, xml_rules_pupils(), left=XML_RULES_LEFT, no_division=XML_RULES_NO_DIVISION),
        "nul_in_name.xml": siecle_xml(UAI, duplicate_pupils()[:1]).replace(b"DUPONT", b"DUP&#0;ONT"),
    }


def main():
    for name, content in corpus().items():
        (HERE / name).write_bytes(content)
        print(f"{name}: {len(content)} octets")


if __name__ == "__main__":
    main()
