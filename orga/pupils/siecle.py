"""Reading the pupils' file of a school: the SIECLE export, or the CSV of agricultural schools (no Django import).

SIECLE ("Base Élèves") exports ElevesSansAdresses.xml, often zipped, usually encoded in ISO-8859-15.
Agricultural schools have no SIECLE and send a ';' CSV instead (FREGATA's columns). Whatever the format, the
result is a list of `SiecleStudent`, the pupils skipped on purpose, or a `SiecleFileError` that carries every
problem found, in French, for the school principal.

The rules are Pix's (facts read in 1024pix/pix, learner-management):
- XML: a pupil with a DATE_SORTIE, or with no ID_NATIONAL element at all (not arrived yet), is skipped. Every
  other pupil is checked, with or without a class: an empty ID_NATIONAL, an empty CODE_SEXE, a missing or
  invalid DATE_NAISS, a pupil born in France (CODE_PAYS 100) without CODE_COMMUNE_INSEE_NAISS, or an INE
  present twice refuses the whole file; then a pupil without a class (TYPE_STRUCTURE D) is skipped.
- CSV: no row is skipped. The identifier, names, sex, birth date, birth department (2-3 characters), INSEE
  birth country (5 digits, 99100 for France, stored as SIECLE's 3-digit code: 100), status (ST or AP), MEF
  code and class are required; born in France, the INSEE birth city code; born abroad, the birth city's name.
- Every error of the file is listed at once, each naming the pupil (name, ELEVE_ID or line, INE) and the field.

The file comes from a browser upload: it is parsed defensively (no DTD, no entity, no network, zip
bombs refused by both the declared size and a hard cap on what is actually decompressed).
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from lxml import etree

MAX_FILE_BYTES = 20 * 1024 * 1024  # the uploaded file, as Pix
MAX_XML_BYTES = 100 * 1024 * 1024  # the XML once unzipped
MAX_ZIP_RATIO = 200  # real exports compress about 10 to 40 times; deflate cannot exceed ~1030
MAX_MESSAGES = 100  # listed errors; the rest are counted ("… et N autres erreurs.")
PROGRESS_EVERY = 200
# The longest value the database keeps for each field read from the file (Pupil and Division fields; a test
# checks they match the models). SIECLE's own limits are within these: a longer value means an edited file,
# which is refused naming the pupil and the field rather than cut (a cut name or INE would be a wrong one).
MAX_LENGTHS = {
    "ine": 11,
    "last_name": 100,
    "preferred_last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "third_name": 100,
    "birth_country_code": 3,
    "birth_department_code": 3,
    "birth_city_code": 5,
    "birth_city": 100,
    "mef_code": 11,
    "status": 2,
    "division": 50,
}
FIELD_LABELS = {
    "ine": "l'INE",
    "last_name": "le nom de famille",
    "preferred_last_name": "le nom d'usage",
    "first_name": "le prénom",
    "middle_name": "le deuxième prénom",
    "third_name": "le troisième prénom",
    "birth_country_code": "le code pays de naissance",
    "birth_department_code": "le code département de naissance",
    "birth_city_code": "le code commune de naissance",
    "birth_city": "la commune de naissance",
    "mef_code": "le code MEF",
    "status": "le statut",
    "division": "la classe",
}
_SHOWN_NAME = 40  # characters of a name quoted in a message

FORMAT_HELP = (
    "Format non reconnu : déposez l'export SIECLE ElevesSansAdresses.xml (ou .zip), "
    "ou le fichier CSV des lycées agricoles."
)
REEXPORT = "Refaites l'export depuis SIECLE et déposez-le sans l'ouvrir ni le modifier."

CSV_COLUMNS = (
    "Identifiant unique*",
    "Premier prénom*",
    "Deuxième prénom",
    "Troisième prénom",
    "Nom de famille*",
    "Nom d'usage",
    "Code sexe*",
    "Date de naissance (jj/mm/aaaa)*",
    "Code commune naissance**",
    "Libellé commune naissance**",
    "Code département naissance*",
    "Code pays naissance*",
    "Statut*",
    "Code MEF*",
    "Division*",
)
CSV_FIELDS = dict(
    zip(
        CSV_COLUMNS,
        (
            "ine",
            "first_name",
            "middle_name",
            "third_name",
            "last_name",
            "preferred_last_name",
            "sex",
            "birthdate",
            "birth_city_code",
            "birth_city",
            "birth_department_code",
            "birth_country_code",
            "status",
            "mef_code",
            "division",
        ),
        strict=True,
    )
)

XML_SEX = {"1": "M", "2": "F"}
CSV_SEX = {"M": "M", "F": "F", "1": "M", "2": "F", "MASCULIN": "M", "FÉMININ": "F", "FEMININ": "F"}
INACTIVE_DIVISION = "inactifs"
FRANCE = "100"  # SIECLE's country code for France; the CSV writes INSEE's 99100
CSV_STATUSES = ("ST", "AP")

# Where each value comes from, as the person who fixes the file sees it: SIECLE's elements, the CSV's columns.
XML_SOURCES = {
    "ine": "ID_NATIONAL",
    "last_name": "NOM_DE_FAMILLE",
    "first_name": "PRENOM",
    "sex": "CODE_SEXE",
    "birthdate": "DATE_NAISS",
    "birth_city_code": "CODE_COMMUNE_INSEE_NAISS",
}

# What the person who chose the wrong file uploaded, and what their school expects.
XML_FOR_AGRICULTURAL = (
    "Ce fichier est un export SIECLE ({kind}) : votre établissement est un lycée agricole, qui importe ses élèves "
    "avec le fichier CSV (séparateur « ; », colonnes « Identifiant unique* » … « Division* »). Déposez ce "
    "fichier CSV."
)
CSV_FOR_SIECLE = (
    "Ce fichier est un fichier CSV : seuls les lycées agricoles importent leurs élèves par un CSV. Votre "
    "établissement importe les siens depuis SIECLE : déposez l'export ElevesSansAdresses.xml (ou le .zip) tel que "
    "SIECLE le donne."
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one
_UTF8_BOM = codecs.BOM_UTF8
_FORBIDDEN_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class SiecleStudent:
    ine: str
    last_name: str
    preferred_last_name: str
    first_name: str
    middle_name: str
    third_name: str
    birthdate: datetime.date
    sex: str  # "M", "F" or ""
    birth_country_code: str
    birth_department_code: str
    birth_city_code: str
    birth_city: str
    mef_code: str
    status: str  # "ST", "AP"...
    division: str
    source: str  # where it came from, for messages: "élève ELEVE_ID=1234" or "ligne 7"


LEFT_REASON = "a quitté l'établissement"


@dataclass
class SkippedStudent:
    name: str  # "NOM Prénom" (or "" if none)
    reason: str  # French, e.g. "sans INE"
    ine: str = ""  # as in the file, to tell a pupil still in the file from one absent from it
    left: bool = False  # the file says the pupil left the school (DATE_SORTIE)


@dataclass
class ParseResult:
    format: str  # "xml", "zip" or "csv"
    uai: str | None  # PARAMETRES/UAJ (None for CSV)
    school_year: str | None  # ANNEE_SCOLAIRE as in the file, e.g. "2026"
    students: list[SiecleStudent] = field(default_factory=list)
    skipped: list[SkippedStudent] = field(default_factory=list)


class SiecleFileError(Exception):
    """The file is refused.

    .messages: list[str] of French sentences, each naming the pupil / INE / line when relevant; at most
    MAX_MESSAGES of them, then "… et N autres erreurs.". .count: how many errors the file has in all.
    """

    def __init__(self, messages):
        if isinstance(messages, str):
            messages = [messages]
        messages = list(messages)
        self.count = len(messages)
        if len(messages) > MAX_MESSAGES + 1:
            hidden = len(messages) - MAX_MESSAGES
            messages = [*messages[:MAX_MESSAGES], f"… et {hidden} autres erreurs."]
        self.messages = messages
        super().__init__("\n".join(messages))


def too_big_message(size=None):
    """Why a file over MAX_FILE_BYTES is refused; `size` in bytes when known (an upload stopped early is not)."""
    weight = f" ({_megabytes(size)})" if size else ""
    return (
        f"Le fichier est trop volumineux{weight} : la taille maximale est de 20 Mo. "
        "Déposez l'export ElevesSansAdresses compressé en .zip."
    )


def parse_pupils_file(data, filename, expected_uai=None, progress=None, agricultural=None):
    """Parse an uploaded pupils' file (bytes) into a `ParseResult`, or raise `SiecleFileError`.

    The format is chosen by the content (zip, XML), then by the name or the CSV header.
    `expected_uai`: the school's UAI; a file of another school is refused.
    `agricultural`: True for an agricultural school (the CSV only), False for the others (SIECLE's XML or zip
    only), None to accept both; the wrong one is refused saying what was recognised and what is expected.
    `progress(done, total)`: called every few hundred pupils, and once at the end.
    """
    if not data:
        raise SiecleFileError("Le fichier est vide.")
    if len(data) > MAX_FILE_BYTES:
        raise SiecleFileError(too_big_message(len(data)))
    filename = filename or ""
    if data.startswith(_ZIP_MAGIC):
        if agricultural:
            raise SiecleFileError(XML_FOR_AGRICULTURAL.format(kind="archive ZIP"))
        xml = _xml_from_zip(data)
        return _parse_xml(xml, "zip", expected_uai, progress)
    if _looks_like_xml(data):
        if agricultural:
            raise SiecleFileError(XML_FOR_AGRICULTURAL.format(kind="fichier XML"))
        return _parse_xml(data, "xml", expected_uai, progress)
    if filename.lower().endswith(".csv") or _looks_like_csv(data):
        if agricultural is False:
            raise SiecleFileError(CSV_FOR_SIECLE)
        return _parse_csv(data, progress)
    raise SiecleFileError(FORMAT_HELP)


# ---------------------------------------------------------------------------------------------- detection


def _looks_like_xml(data):
    if data.startswith((codecs.BOM_UTF16_LE + b"<", codecs.BOM_UTF16_BE + b"\x00<")):
        return True
    return data.removeprefix(_UTF8_BOM).lstrip().startswith(b"<")


def _looks_like_csv(data):
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    first_line = head.removeprefix(_UTF8_BOM).split(b"\n", 1)[0].decode("latin-1").lower()
    return ";" in first_line and "identifiant unique" in first_line


# ---------------------------------------------------------------------------------------------- zip


def _xml_from_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not info.filename.rsplit("/", 1)[-1].startswith(".")
            and info.filename.lower().endswith(".xml")
        ]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise SiecleFileError(_corrupt_zip_message()) from error
    if not entries:
        raise SiecleFileError(
            "L'archive ZIP ne contient aucun fichier XML : elle doit contenir l'export ElevesSansAdresses.xml."
        )
    if len(entries) > 1:
        names = ", ".join(info.filename for info in entries)
        raise SiecleFileError(
            f"L'archive ZIP contient plusieurs fichiers XML ({names}) : elle ne doit contenir que "
            "l'export ElevesSansAdresses.xml."
        )
    info = entries[0]
    limit = f"{MAX_XML_BYTES // (1024 * 1024)} Mo"
    not_siecle = "il ne peut pas s'agir d'un export SIECLE des élèves."
    if info.file_size > MAX_XML_BYTES:
        raise SiecleFileError(
            f"Le fichier {info.filename} de l'archive ZIP ferait {_megabytes(info.file_size)} une fois "
            f"décompressé (maximum {limit}) : {not_siecle}"
        )
    if info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1024):
        raise SiecleFileError(
            f"Le fichier {info.filename} de l'archive ZIP est compressé de façon anormale "
            f"({_megabytes(info.file_size)} pour {_megabytes(info.compress_size)}) : {not_siecle}"
        )
    try:
        xml = read_zip_entry_capped(archive, info, MAX_XML_BYTES)
    except RuntimeError as error:  # encrypted entry
        raise SiecleFileError(
            "L'archive ZIP est protégée par un mot de passe : déposez l'export SIECLE sans mot de passe."
        ) from error
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise SiecleFileError(_corrupt_zip_message()) from error
    if xml is None:
        raise SiecleFileError(
            f"Le fichier {info.filename} de l'archive ZIP dépasse {limit} une fois décompressé : {not_siecle}"
        )
    return xml


def read_zip_entry_capped(archive, info, cap, chunk_size=1024 * 1024):
    """The decompressed bytes of `info`, or None as soon as more than `cap` bytes come out.

    The sizes in the zip headers are written by whoever made the file: they are checked first, but the
    reading itself is bounded too.
    """
    chunks = []
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(chunk_size):
            total += len(chunk)
            if total > cap:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def _corrupt_zip_message():
    return f"L'archive ZIP est illisible : elle est corrompue ou incomplète (téléchargement interrompu ?). {REEXPORT}"


# ---------------------------------------------------------------------------------------------- XML


def _xml_parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _has_forbidden_declaration(data):
    """A DOCTYPE or ENTITY declaration, looked for in the bytes, and in UTF-16 when the file is in UTF-16."""
    if _FORBIDDEN_DECLARATION.search(data):
        return True
    head = data[:4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        text = data.decode("utf-16", errors="ignore")
        return _FORBIDDEN_DECLARATION.search(text.encode("utf-8")) is not None
    return False


def _doctype_refused():
    return SiecleFileError(
        "Le fichier contient une déclaration DOCTYPE/ENTITY interdite : il n'est pas un export SIECLE."
    )


def _parse_xml(data, file_format, expected_uai, progress):
    if not _looks_like_xml(data):
        raise SiecleFileError(f"Le fichier contenu dans l'archive ZIP n'est pas un fichier XML. {REEXPORT}")
    if _has_forbidden_declaration(data):
        raise _doctype_refused()
    # The XML declaration must come first: drop what a text editor may have put before it.
    data = _UTF8_BOM + data[3:].lstrip() if data.startswith(_UTF8_BOM) else data.lstrip()
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        if "amplification" in str(error).lower():  # libxml2's own guard against entity expansion
            raise _doctype_refused() from error
        raise SiecleFileError(_xml_syntax_message(error, data)) from error
    except (ValueError, LookupError) as error:
        raise SiecleFileError(f"Le fichier XML est illisible. {REEXPORT}") from error
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _doctype_refused()
    if not isinstance(root.tag, str) or etree.QName(root).localname != "BEE_ELEVES":
        raise SiecleFileError(
            "Ce fichier XML n'est pas un export SIECLE des élèves (BEE_ELEVES attendu) : "
            "dans SIECLE, exportez « ElevesSansAdresses »."
        )

    uai = _text(root.find("PARAMETRES/UAJ")).upper() or None
    school_year = _text(root.find("PARAMETRES/ANNEE_SCOLAIRE")) or None
    _check_uai(uai, expected_uai)

    divisions = _divisions_by_pupil(root)
    pupils = root.findall("DONNEES/ELEVES/ELEVE")
    builder = _Builder(len(pupils), progress, XML_SOURCES, "Corrigez SIECLE puis refaites l'export.")
    seen_ids = set()
    for pupil in pupils:
        values = {child.tag: _text(child) for child in pupil if isinstance(child.tag, str)}
        pupil_id = (pupil.get("ELEVE_ID") or "").strip()
        # The same ELEVE listed twice is one pupil: keep the first, as Pix does.
        if pupil_id and pupil_id in seen_ids:
            continue
        seen_ids.add(pupil_id)
        raw_sex = values.get("CODE_SEXE", "")
        problems = []
        if not raw_sex:
            problems.append("sexe manquant (CODE_SEXE vide)")
        elif raw_sex not in XML_SEX:
            problems.append(f"code sexe « {_shorten(raw_sex)} » invalide (CODE_SEXE : 1 ou 2 attendu)")
        builder.add(
            source=f"élève ELEVE_ID={pupil_id}" if pupil_id else "élève sans ELEVE_ID",
            label=None,
            reference=f"ELEVE_ID {_shorten(pupil_id, 20)}" if pupil_id else "sans ELEVE_ID",
            # No ID_NATIONAL element at all: a pupil not arrived yet, skipped; an empty one refuses the file.
            ine_given="ID_NATIONAL" in values,
            problems=problems,
            ine=values.get("ID_NATIONAL", ""),
            # Exports before the 2019 SIECLE format name the family name NOM.
            last_name=values.get("NOM_DE_FAMILLE") or values.get("NOM", ""),
            preferred_last_name=values.get("NOM_USAGE", ""),
            first_name=values.get("PRENOM", ""),
            middle_name=values.get("PRENOM2", ""),
            third_name=values.get("PRENOM3", ""),
            birthdate=values.get("DATE_NAISS", ""),
            sex=XML_SEX.get(raw_sex, ""),
            birth_country_code=values.get("CODE_PAYS", ""),
            birth_department_code=values.get("CODE_DEPARTEMENT_NAISS", ""),
            birth_city_code=values.get("CODE_COMMUNE_INSEE_NAISS", ""),
            birth_city=values.get("VILLE_NAISS", ""),
            mef_code=values.get("CODE_MEF", ""),
            status=values.get("CODE_STATUT", ""),
            division=divisions.get(pupil_id, ""),
            left_on=values.get("DATE_SORTIE", ""),
        )
    students, skipped = builder.finish()
    return ParseResult(format=file_format, uai=uai, school_year=school_year, students=students, skipped=skipped)


def _xml_syntax_message(error, data):
    text = str(error.msg or error)
    lowered = text.lower()
    unsupported = re.search(r"(?i)unsupported encoding:?\s*([^,\s]+)", text)
    if unsupported:
        return f"Le fichier XML déclare un encodage inconnu ({unsupported.group(1)}). {REEXPORT}"
    at_line = f" à la ligne {error.lineno}" if error.lineno else ""
    if "encoding" in lowered or "not proper" in lowered:
        declared = _DECLARED_ENCODING.search(data[:200])
        declared = declared.group(1).decode("ascii", "replace") if declared else "UTF-8"
        return (
            f"Le contenu du fichier XML ne correspond pas à l'encodage qu'il déclare ({declared}) : caractère "
            f"invalide{at_line}. Le fichier a sans doute été ouvert puis réenregistré par un autre logiciel. "
            f"{REEXPORT}"
        )
    last_line = data.count(b"\n") + 1
    cut_short = not data.rstrip().endswith(b">") or b"</BEE_ELEVES>" not in data[-200:]
    if "premature end" in lowered or (cut_short and error.lineno and error.lineno >= last_line - 1):
        return (
            f"Le fichier XML est incomplet (il s'arrête{at_line}) : il a sans doute été tronqué pendant le "
            f"téléchargement. {REEXPORT}"
        )
    return f"Le fichier n'est pas un XML valide (erreur{at_line}). {REEXPORT}"


def _check_uai(uai, expected_uai):
    if not expected_uai:
        return
    expected = expected_uai.strip().upper()
    if not uai:
        raise SiecleFileError(
            "Le fichier n'indique pas d'établissement (PARAMETRES/UAJ absent) : il n'est pas un export SIECLE "
            f"complet. {REEXPORT}"
        )
    if uai != expected:
        raise SiecleFileError(
            f"Le fichier concerne l'établissement {uai}, et non le vôtre ({expected}) : vérifiez que vous avez "
            "exporté les élèves du bon établissement."
        )


def _divisions_by_pupil(root):
    divisions = {}
    for structures in root.iterfind("DONNEES/STRUCTURES/STRUCTURES_ELEVE"):
        pupil_id = (structures.get("ELEVE_ID") or "").strip()
        if not pupil_id or pupil_id in divisions:
            continue
        for structure in structures.iterfind("STRUCTURE"):
            code = _text(structure.find("CODE_STRUCTURE"))
            kind = _text(structure.find("TYPE_STRUCTURE")).upper()
            if kind == "D" and code and code.lower() != INACTIVE_DIVISION:
                divisions[pupil_id] = code
                break
    return divisions


def _text(element):
    if element is None or element.text is None:
        return ""
    return element.text.strip()


# ---------------------------------------------------------------------------------------------- CSV


def _decode_csv(data):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Texte Unicode"
        return data.decode("utf-16", errors="replace")
    if data.startswith(_UTF8_BOM):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SiecleFileError(
                f"Le fichier CSV commence comme un fichier UTF-8 mais contient des caractères invalides "
                f"(octet {error.start}). Réenregistrez-le en « CSV UTF-8 »."
            ) from error
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("iso-8859-15")


def _parse_csv(data, progress):
    text = _decode_csv(data)
    if "\x00" in text:
        raise SiecleFileError(f"{FORMAT_HELP} (Ce fichier contient des données binaires.)")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        for row in reader:
            rows.append((reader.line_num, [cell.strip() for cell in row]))
    except csv.Error as error:
        raise SiecleFileError(
            f"Le fichier CSV est mal formé à la ligne {reader.line_num} (guillemet non fermé ou valeur trop longue)."
        ) from error
    rows = [(line, row) for line, row in rows if any(row)]
    if not rows:
        raise SiecleFileError("Le fichier est vide.")

    header_line, header = rows[0]
    positions = _csv_positions(header, header_line)
    width = max(positions.values()) + 1
    builder = _Builder(len(rows) - 1, progress, CSV_SOURCES, "Corrigez le fichier puis déposez-le à nouveau.")
    for line, row in rows[1:]:
        if any(row[width:]):
            count = max(index for index, cell in enumerate(row) if cell) + 1
            builder.error(f"ligne {line} : {count} valeurs au lieu de {width} (un point-virgule en trop ?).")
            continue
        row = row + [""] * (width - len(row))
        values = {name: row[index] for name, index in positions.items()}
        sex, country, problems = _csv_row_problems(values)
        builder.add(
            source=f"ligne {line}",
            label=f"ligne {line}",
            reference=None,
            ine_given=True,  # no row is skipped: an empty identifier refuses the file
            problems=problems,
            ine=values["ine"],
            last_name=values["last_name"],
            preferred_last_name=values["preferred_last_name"],
            first_name=values["first_name"],
            middle_name=values["middle_name"],
            third_name=values["third_name"],
            birthdate=values["birthdate"],
            sex=sex,
            birth_country_code=country,
            birth_department_code=values["birth_department_code"],
            birth_city_code=values["birth_city_code"].upper(),
            birth_city=values["birth_city"],
            mef_code=values["mef_code"],
            status=values["status"].upper(),
            division=" ".join(values["division"].split()),
            left_on="",
        )
    students, skipped = builder.finish()
    return ParseResult(format="csv", uai=None, school_year=None, students=students, skipped=skipped)


CSV_SOURCES = {field_name: f"colonne « {column} »" for column, field_name in CSV_FIELDS.items()}
_CSV_COUNTRY = re.compile(r"^99[1-5]\d\d$")  # INSEE's code of a country: 99100 France, 99132 Royaume-Uni…
_CSV_FRENCH_CITY = re.compile(r"^(\d{5}|\d[AB]\d{3})$", re.IGNORECASE)  # INSEE's code of a commune (2A/2B Corse)


def _csv_row_problems(values):
    """(sex, SIECLE's 3-digit country code, French phrases) for the CSV's own rules, those of Pix's FREGATA file.

    The rules both formats share (identifier, names, birth date, born in France without a city code, lengths)
    are the builder's.
    """
    problems = []

    def missing(what, field_name):
        problems.append(f"{what} ({CSV_SOURCES[field_name]} vide)")

    def invalid(what, field_name, expected):
        value = _shorten(values[field_name])
        problems.append(f"{what} « {value} » invalide ({CSV_SOURCES[field_name]} : {expected})")

    raw_sex = values["sex"].upper()
    sex = CSV_SEX.get(raw_sex, "")
    if not raw_sex:
        missing("sexe manquant", "sex")
    elif not sex:
        invalid("code sexe", "sex", "M ou F attendu")
    department = values["birth_department_code"]
    if not department:
        missing("code département de naissance manquant", "birth_department_code")
    elif not 2 <= len(department) <= 3:
        invalid("code département de naissance", "birth_department_code", "2 ou 3 caractères attendus")
    raw_country = values["birth_country_code"]
    country = raw_country[-3:] if _CSV_COUNTRY.match(raw_country) else ""
    if not raw_country:
        missing("code pays de naissance manquant", "birth_country_code")
    elif not country:
        invalid("code pays de naissance", "birth_country_code", "code INSEE à 5 chiffres attendu, 99100 pour la France")
    elif country == FRANCE and values["birth_city_code"] and not _CSV_FRENCH_CITY.match(values["birth_city_code"]):
        invalid("code commune de naissance", "birth_city_code", "code INSEE à 5 caractères attendu")
    elif country != FRANCE and not values["birth_city"]:
        missing("commune de naissance manquante alors que l'élève est né à l'étranger", "birth_city")
    status = values["status"].upper()
    if not status:
        missing("statut manquant", "status")
    elif status not in CSV_STATUSES:
        invalid("statut", "status", "ST ou AP attendu")
    if not values["mef_code"]:
        missing("code MEF manquant", "mef_code")
    if not values["division"]:
        missing("classe manquante", "division")
    return sex, country, problems


def _csv_positions(header, line):
    """{field name: column index} from the header row, or SiecleFileError naming every problem."""
    while header and not header[-1]:
        header = header[:-1]  # Excel leaves trailing empty columns
    present = Counter(header)
    messages = []
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        messages.append(
            f"Ligne {line} : les colonnes doivent être séparées par des points-virgules (;), "
            "pas par des virgules ni des tabulations."
        )
    else:
        missing = [column for column in CSV_COLUMNS if column not in present]
        unknown = [column for column in present if column not in CSV_FIELDS]
        doubled = [column for column, count in present.items() if count > 1 and column in CSV_FIELDS]
        if missing:
            messages.append(f"Colonnes manquantes dans l'en-tête : {_quoted(missing)}.")
        if unknown:
            messages.append(f"Colonnes inconnues dans l'en-tête : {_quoted(c or '(vide)' for c in unknown)}.")
        if doubled:
            messages.append(f"Colonnes en double dans l'en-tête : {_quoted(doubled)}.")
    if messages:
        messages.append("La première ligne doit contenir exactement ces colonnes : " + ";".join(CSV_COLUMNS))
        raise SiecleFileError(messages)
    return {CSV_FIELDS[column]: index for index, column in enumerate(header)}


def _quoted(values):
    return ", ".join(f"« {value} »" for value in values)


# ---------------------------------------------------------------------------------------------- common rules


def _shorten(value, limit=_SHOWN_NAME):
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _who(last_name, first_name, ine, reference=None):
    """ "DUPONT Marie (ELEVE_ID 2461001, INE 123456789AB)": the pupil as the person who fixes the file finds them."""
    name = " ".join(_shorten(part) for part in (last_name, first_name) if part) or "élève sans nom"
    details = [detail for detail in (reference, f"INE {_shorten(ine, 20)}" if ine else "") if detail]
    return f"{name} ({', '.join(details)})" if details else name


def _length_problems(values):
    """French phrases for the values the database could not keep whole, e.g. "le prénom a 300 caractères (…)"."""
    return [
        f"{FIELD_LABELS[name]} a {len(values[name])} caractères (au plus {limit})"
        for name, limit in MAX_LENGTHS.items()
        if len(values[name]) > limit
    ]


def _parse_date(value):
    match = _DATE.match(value)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None
    if year < 1900 or date > datetime.date.today():
        return None
    return date


class _Builder:
    """The rules shared by XML and CSV: skip, check, collect every error, then refuse or return.

    `sources`: {field name: where it is in the file}, e.g. "CODE_SEXE" or "colonne « Code sexe* »".
    `fix`: where a duplicated INE is corrected, a sentence.
    """

    def __init__(self, total, progress, sources, fix):
        self.total = total
        self.progress = progress
        self.sources = sources
        self.fix = fix  # how to correct a duplicated INE
        self.done = 0
        self.students = []
        self.skipped = []
        self.messages = []
        self.names_by_ine = defaultdict(list)

    def error(self, message):
        self.messages.append(message)
        self._tick()

    def add(self, *, source, label, reference, left_on, ine_given, problems=(), **values):
        """One pupil.

        `reference`: the pupil's ELEVE_ID in messages (None when `label`, the line, says where it is).
        `ine_given`: False when the file has no ID_NATIONAL for the pupil (skipped, not arrived yet).
        `problems`: French phrases for the format's own rules, found by the caller.
        """
        values = {name: value.strip() for name, value in values.items()}
        values["ine"] = values["ine"].upper()
        name = " ".join(part for part in (values["last_name"], values["first_name"]) if part)
        skip_reason = LEFT_REASON if left_on else None if ine_given else "sans INE"
        if skip_reason:
            self.skipped.append(
                SkippedStudent(name=name, reason=skip_reason, ine=values["ine"], left=skip_reason == LEFT_REASON)
            )
            self._tick()
            return

        found = self._required_problems(values)
        birthdate = _parse_date(values["birthdate"])
        found += [*problems, *_length_problems(values)]
        who = _who(values["last_name"], values["first_name"], values["ine"], reference)
        prefix = f"{label} : " if label else ""
        self.messages += [f"{prefix}{problem} pour {who}." for problem in found]
        if values["ine"]:
            shown = " ".join(_shorten(part) for part in (values["last_name"], values["first_name"]) if part)
            where = f" à la {label}" if label else f" ({reference})" if reference else ""
            self.names_by_ine[values["ine"]].append((shown or "élève sans nom") + where)
        if not values["division"] and not found:
            # Checked like the others (Pix does), then skipped: the school's class list does not have them.
            self.skipped.append(SkippedStudent(name=name, reason="sans classe", ine=values["ine"]))
        elif not found:
            self.students.append(SiecleStudent(**{**values, "birthdate": birthdate}, source=source))
        self._tick()

    def _required_problems(self, values):
        """What a pupil of either format must have: INE, names, a valid birth date, a city code if born in France."""
        sources = self.sources
        found = []
        if not values["ine"]:
            found.append(f"INE manquant ({sources['ine']} vide)")
        if not values["last_name"]:
            found.append(f"nom de famille manquant ({sources['last_name']} vide)")
        if not values["first_name"]:
            found.append(f"prénom manquant ({sources['first_name']} vide)")
        raw_date = values["birthdate"]
        if not raw_date:
            found.append(f"date de naissance manquante ({sources['birthdate']} vide)")
        elif _parse_date(raw_date) is None:
            found.append(
                f"date de naissance invalide « {_shorten(raw_date)} » ({sources['birthdate']} : jj/mm/aaaa attendu)"
            )
        if values["birth_country_code"] == FRANCE and not values["birth_city_code"]:
            where = sources["birth_city_code"]
            found.append(f"code commune de naissance manquant alors que l'élève est né en France ({where} vide)")
        return found

    def _tick(self):
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0 and self.done < self.total:
            self.progress(self.done, self.total)

    def finish(self):
        if self.progress is not None:
            self.progress(self.total, self.total)
        messages = [_capitalize(message) for message in self.messages]
        for ine, names in self.names_by_ine.items():
            if len(names) > 1:
                times = "deux fois" if len(names) == 2 else f"{len(names)} fois"
                listed = ", ".join(names[:-1]) + " et " + names[-1]
                messages.append(f"L'INE {_shorten(ine, 20)} apparaît {times} : {listed}. {self.fix}")
        if messages:
            raise SiecleFileError(messages)
        if not self.students:
            raise SiecleFileError(_nothing_to_import(self.skipped))
        return self.students, self.skipped


def _capitalize(message):
    return message[:1].upper() + message[1:]


def _nothing_to_import(skipped):
    if not skipped:
        return "Le fichier ne contient aucun élève à importer."
    left = sum(1 for pupil in skipped if pupil.left)
    counts = Counter(pupil.reason for pupil in skipped if not pupil.left)
    details = []
    if left:
        details.append(f"{left} " + ("a quitté l'établissement" if left == 1 else "ont quitté l'établissement"))
    details.extend(f"{count} {reason}" for reason, count in counts.items())
    plural = "s" if len(skipped) > 1 else ""
    return (
        f"Le fichier ne contient aucun élève à importer : {len(skipped)} élève{plural} ignoré{plural} "
        f"({', '.join(details)})."
    )
