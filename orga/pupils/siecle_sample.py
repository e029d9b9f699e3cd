"""Realistic pupils' files: SIECLE exports (XML, zip) and agricultural CSV (no Django import).

Used by the demo seed, the tests and the benchmarks. Deterministic: the same pupils give the same bytes.
Real exports carry many elements the import does not need; `extra_noise` writes some of them so that the
parser proves it ignores them.
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .demo_people import MEF_BY_GRADE, FakePupil, make_pupils
from .siecle import CSV_COLUMNS

CSV_HEADER = CSV_COLUMNS  # the agricultural schools' file, as the parser expects it

FRANCE = "100"
# (code INSEE de la commune, code département SIECLE, libellé)
FRENCH_CITIES = (
    ("75056", "075", "PARIS"),
    ("69123", "069", "LYON"),
    ("13055", "013", "MARSEILLE"),
    ("31555", "031", "TOULOUSE"),
    ("59350", "059", "LILLE"),
    ("33063", "033", "BORDEAUX"),
    ("44109", "044", "NANTES"),
    ("67482", "067", "STRASBOURG"),
    ("35238", "035", "RENNES"),
    ("77288", "077", "MEAUX"),
    ("18033", "018", "BOURGES"),
    ("93066", "093", "SAINT-DENIS"),
)
# (code pays SIECLE, ville de naissance)
FOREIGN_BIRTHPLACES = (
    ("132", "LONDRES"),
    ("350", "CASABLANCA"),
    ("352", "ALGER"),
    ("351", "TUNIS"),
    ("139", "PORTO"),
    ("109", "BERLIN"),
    ("134", "MADRID"),
)
GROUPS = ("LATIN", "ESP LV2", "ALL LV2", "CHORALE", "SECTION SPORT")
PREVIOUS_GRADE = {"5e": "6e", "4e": "5e", "3e": "4e"}
PREVIOUS_SCHOOL = ("0180777X", "CLG", "COLLEGE", "JEAN RENOIR", "BOURGES")


@dataclass
class SamplePupil(FakePupil):
    """A `FakePupil` with what SIECLE also carries, and overrides to build odd files (the tests' corpus)."""

    preferred_last_name: str = ""
    third_name: str = ""
    birth_country_code: str = ""  # "" → chosen from the pupil's index
    birth_department_code: str = ""
    birth_city_code: str = ""
    birth_city: str = ""
    status: str = "ST"
    raw_birthdate: str | None = None  # written as is instead of `birthdate` (e.g. "31/02/2012" or "")
    sex_code: str = ""  # written as is instead of the code of `sex` (sex="" writes an empty code)
    raw_csv_country: str | None = None  # written as is in the CSV instead of INSEE's code (e.g. SIECLE's "100")
    structures: tuple = ()  # ((CODE_STRUCTURE, TYPE_STRUCTURE), ...) instead of the class (and group)


def birthplace(pupil, index):
    """(country code, department code, INSEE city code, city name) of a pupil, stable for a given index."""
    country = getattr(pupil, "birth_country_code", "")
    if country:
        return (
            country,
            getattr(pupil, "birth_department_code", ""),
            getattr(pupil, "birth_city_code", ""),
            getattr(pupil, "birth_city", ""),
        )
    if index % 13 == 7:
        country, city = FOREIGN_BIRTHPLACES[index % len(FOREIGN_BIRTHPLACES)]
        return country, "", "", city
    city_code, department, city = FRENCH_CITIES[(index * 7) % len(FRENCH_CITIES)]
    return FRANCE, department, city_code, city


def _birthdate_text(pupil):
    raw = getattr(pupil, "raw_birthdate", None)
    return raw if raw is not None else pupil.birthdate.strftime("%d/%m/%Y")


def _structures(pupil, index, with_division):
    custom = getattr(pupil, "structures", ())
    if custom:
        return list(custom)
    structures = [(pupil.division, "D")] if with_division and pupil.division else []
    if index % 4 == 1:  # a group before the class, to make sure the class is not "the first structure"
        structures.insert(0, (f"{pupil.division[:2]} {GROUPS[index % len(GROUPS)]}", "G"))
    return structures


def _element(lines, indent, tag, value):
    lines.append(f"{'  ' * indent}<{tag}>{escape(str(value))}</{tag}>")


def siecle_xml(
    uai,
    pupils: list[FakePupil],
    school_year=2026,
    encoding="ISO-8859-15",
    left=(),
    no_division=(),
    extra_noise=True,
) -> bytes:
    """An ElevesSansAdresses.xml export of `pupils` for the school `uai`.

    Pupils whose index is in `left` have a DATE_SORTIE, those in `no_division` no class (D structure).
    A pupil whose `ine` is None has no ID_NATIONAL element (a pupil not arrived yet); "" writes an empty one.
    """
    left, no_division = set(left), set(no_division)
    export_date = f"15/09/{school_year}"
    lines = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<BEE_ELEVES VERSION="3.1">',
        "  <PARAMETRES>",
    ]
    _element(lines, 2, "UAJ", uai)
    _element(lines, 2, "ANNEE_SCOLAIRE", school_year)
    _element(lines, 2, "DATE_EXPORT", export_date)
    _element(lines, 2, "HORODATAGE", f"{export_date} 10:42:17")
    lines += ["  </PARAMETRES>", "  <DONNEES>", "    <ELEVES>"]
    ids = [str(2461000 + 3 * index + 1) for index in range(len(pupils))]
    for index, pupil in enumerate(pupils):
        eleve_id = ids[index]
        lines.append(f"      <ELEVE ELEVE_ID={quoteattr(eleve_id)} ELEVE_NO_ETAB={quoteattr(f'{index + 1:05d}')}>")
        fields = [] if pupil.ine is None else [("ID_NATIONAL", pupil.ine)]
        if extra_noise:
            fields += [("ELENOET", f"{index + 1:05d}"), ("ID_ELEVE_ETAB", f"{index + 1:05d}{uai[:6]}")]
        fields += [
            ("NOM_DE_FAMILLE", pupil.last_name),
            ("NOM_USAGE", getattr(pupil, "preferred_last_name", "")),
            ("PRENOM", pupil.first_name),
            ("PRENOM2", pupil.middle_name),
            ("PRENOM3", getattr(pupil, "third_name", "")),
            ("DATE_NAISS", _birthdate_text(pupil)),
        ]
        if extra_noise:
            fields += [("DOUBLEMENT", "1" if index % 29 == 3 else "0"), ("ACCEPTE_SMS", "0")]
        country, department, city_code, city = birthplace(pupil, index)
        fields.append(("CODE_PAYS", country))
        if extra_noise:
            fields += [("DATE_MODIFICATION", f"02/09/{school_year}"), ("CODE_REGIME", "2")]
        if index in left:
            fields.append(("DATE_SORTIE", f"12/10/{school_year}"))
            if extra_noise:
                fields.append(("CODE_MOTIF_SORTIE", "10"))
        if extra_noise:
            fields.append(("DATE_ENTREE", f"01/09/{school_year - 1 if index % 3 else school_year}"))
        if city and country != FRANCE:
            fields.append(("VILLE_NAISS", city))
        fields.append(("CODE_SEXE", getattr(pupil, "sex_code", "") or {"M": "1", "F": "2"}.get(pupil.sex, "")))
        if extra_noise:
            fields += [("CODE_PAYS_NAT", country if country != FRANCE or index % 17 else "350")]
        if department:
            fields.append(("CODE_DEPARTEMENT_NAISS", department))
        if city_code:
            fields.append(("CODE_COMMUNE_INSEE_NAISS", city_code))
        fields += [("CODE_MEF", pupil.mef_code), ("CODE_STATUT", getattr(pupil, "status", "ST"))]
        if extra_noise:
            fields += [("ADHESION_TRANSPORT", "1" if index % 5 == 0 else "0"), ("CODE_PROVENANCE", "1")]
        for tag, value in fields:
            _element(lines, 4, tag, value)
        if extra_noise:
            rne, sigle, denom, denom_compl, town = PREVIOUS_SCHOOL
            lines.append("        <SCOLARITE_AN_DERNIER>")
            # Last year's MEF and class: the parser must not take them for this year's.
            previous_grade = PREVIOUS_GRADE.get(pupil.division[:2])
            if previous_grade:
                _element(lines, 5, "CODE_MEF", MEF_BY_GRADE[previous_grade])
                _element(lines, 5, "CODE_STRUCTURE", f"{previous_grade.upper()} {index % 5 + 1}")
            for tag, value in (
                ("CODE_RNE", rne),
                ("SIGLE", sigle),
                ("DENOM_PRINC", denom),
                ("DENOM_COMPL", denom_compl),
                ("LL_COMMUNE_INSEE", town),
            ):
                _element(lines, 5, tag, value)
            lines.append("        </SCOLARITE_AN_DERNIER>")
        lines.append("      </ELEVE>")
    lines.append("    </ELEVES>")
    if extra_noise:
        lines.append("    <OPTIONS>")
        for index, eleve_id in enumerate(ids):
            if index % 3 == 0:
                lines += [
                    f"      <OPTION ELEVE_ID={quoteattr(eleve_id)}>",
                    "        <OPTIONS_ELEVE>",
                    "          <NUM_OPTION>1</NUM_OPTION>",
                    "          <CODE_MODALITE_ELECT>O</CODE_MODALITE_ELECT>",
                    "          <CODE_MATIERE>030201</CODE_MATIERE>",
                    "        </OPTIONS_ELEVE>",
                    "      </OPTION>",
                ]
        lines.append("    </OPTIONS>")
    lines.append("    <STRUCTURES>")
    for index, pupil in enumerate(pupils):
        structures = _structures(pupil, index, with_division=index not in no_division)
        if not structures:
            continue
        lines.append(f"      <STRUCTURES_ELEVE ELEVE_ID={quoteattr(ids[index])}>")
        for code, kind in structures:
            lines.append("        <STRUCTURE>")
            _element(lines, 5, "CODE_STRUCTURE", code)
            _element(lines, 5, "TYPE_STRUCTURE", kind)
            lines.append("        </STRUCTURE>")
        lines.append("      </STRUCTURES_ELEVE>")
    lines += ["    </STRUCTURES>", "  </DONNEES>", "</BEE_ELEVES>", ""]
    return "\n".join(lines).encode(encoding, errors="xmlcharrefreplace")


def siecle_zip(xml_bytes, name="ElevesSansAdresses.xml") -> bytes:
    """`xml_bytes` zipped as SIECLE does (deflate), with a fixed date so that the bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2026, 9, 15, 10, 42, 16))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, xml_bytes)
    return buffer.getvalue()


def insee_country(country):
    """INSEE's code of a country, which the agricultural CSV carries, from SIECLE's: "100" → "99100"."""
    return f"99{country}" if len(country) == 3 and country.isdigit() else country


def agricultural_csv(pupils, encoding="utf-8-sig") -> bytes:
    """The ';' CSV of agricultural schools (Excel-like: CRLF, every field present), countries in INSEE's codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for index, pupil in enumerate(pupils):
        country, department, city_code, city = birthplace(pupil, index)
        raw_country = getattr(pupil, "raw_csv_country", None)
        writer.writerow(
            (
                pupil.ine,
                pupil.first_name,
                pupil.middle_name,
                getattr(pupil, "third_name", ""),
                pupil.last_name,
                getattr(pupil, "preferred_last_name", ""),
                getattr(pupil, "sex_code", "") or pupil.sex,
                _birthdate_text(pupil),
                city_code,
                city,
                department or ("99" if country != FRANCE else ""),  # Pix's sample writes 99 for abroad
                insee_country(country) if raw_country is None else raw_country,
                getattr(pupil, "status", "ST"),
                pupil.mef_code,
                pupil.division,
            )
        )
    return buffer.getvalue().encode(encoding)


def division_names(count):
    """`count` collège classes spread over 6e-3e: "6e A", "5e A", "4e A", "3e A", "6e B"..."""
    grades = ("6e", "5e", "4e", "3e")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"{grades[index % 4]} {letters[index // 4 % 26]}{index // 104 or ''}" for index in range(count)]


def generated_pupils(count, divisions, seed=2026, school_year=2026):
    """`count` pupils spread evenly over `divisions` (names, or a number of classes), e.g. 3000 in 50 classes."""
    if isinstance(divisions, int):
        divisions = division_names(divisions)
    divisions = list(divisions)
    per_division = math.ceil(count / len(divisions))
    by_division = {division: [] for division in divisions}
    for pupil in make_pupils(divisions, per_division, school_year, seed=seed):
        by_division[pupil.division].append(pupil)
    base, extra = divmod(count, len(divisions))
    return [
        pupil
        for rank, division in enumerate(divisions)
        for pupil in by_division[division][: base + (1 if rank < extra else 0)]
    ]
