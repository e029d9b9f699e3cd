"""What every Pix export shares when it is read back (no Django import): bytes to rows, headers compared loosely,
Pix's values (ratios with a decimal comma, "NA", "Oui"/"Non", French dates) read, and the file refused with
French messages that say what was recognised."""

import csv
import datetime
import io
import re
import unicodedata

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
NOT_AVAILABLE = {"", "na", "n/a", "-"}
FORMULA_STARTS = ("=", "+", "-", "@")


class PixFileError(Exception):
    """The file is refused: `messages` say why, in French, and what was recognised."""

    def __init__(self, *messages):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def folded(text):
    """A header or a title compared without case, accents, doubled spaces or typographic apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(plain.replace("’", "'").split())


def decode(data):
    """The file's text: UTF-8 (with or without BOM, as Pix writes it), else Windows-1252 (a file saved again by
    a spreadsheet). Workbooks, archives and binary files are refused."""
    if data[:4] == b"PK\x03\x04":
        raise PixFileError(
            "Ce fichier est un classeur ou une archive (.xlsx, .zip), pas un fichier CSV : déposez l'export CSV de "
            "Pix tel que Pix le donne."
        )
    if b"\x00" in data[:4096]:
        raise PixFileError("Ce fichier n'est pas un fichier texte : déposez l'export CSV de Pix.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data):
    """(header, [(line number, cells)]) of a CSV whose separator is ";" (Pix's) or "," (a spreadsheet's)."""
    if not data.strip():
        raise PixFileError("Le fichier est vide.")
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise PixFileError("La première ligne du fichier (les titres des colonnes) est illisible.") from error
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise PixFileError(f"Le fichier compte plus de {MAX_ROWS} lignes : découpez-le.")
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise PixFileError(f"Ligne {reader.line_num} illisible : vérifiez que le fichier est un CSV de Pix.") from error
    return [cell.strip() for cell in header], rows


def text_value(value):
    """A cell as Pix wrote it, without the quote Pix puts before what a spreadsheet would read as a formula."""
    value = (value or "").strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def is_missing(value):
    return folded(value) in NOT_AVAILABLE


def ratio(value):
    """Pix's ratio (0,67) as a float between 0 and 1; None for "NA". A percentage (67 or "67 %") is read too."""
    if is_missing(value):
        return None
    cleaned = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    percent = cleaned.endswith("%")
    number = float(cleaned.rstrip("%"))
    if percent or 1 < number <= 100:
        number /= 100
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


def count(value):
    return None if is_missing(value) else int(value.strip())


def yes_no(value):
    word = folded(value)
    if word in {"oui", "o", "yes"}:
        return True
    if word in {"non", "n", "no"} or is_missing(value):
        return False
    raise ValueError(value)


DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?")


def date_time(value):
    """ "DD/MM/YYYY HH:mm" (Europe/Paris, naive here) or "DD/MM/YYYY" (midnight); None for "NA"."""
    if is_missing(value):
        return None
    text = value.strip()
    match = DATE.match(text)
    if match:
        day, month, year, hour, minute = match.groups()
    else:
        match = ISO_DATE.match(text)
        if not match:
            raise ValueError(value)
        year, month, day, hour, minute = match.groups()
    return datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))


def date(value):
    moment = date_time(value)
    return moment.date() if moment else None


def cell_at(cells, position):
    """A row's cell as text, "" for a column the file does not have (position None) or a short row."""
    return text_value(cells[position]) if position is not None and position < len(cells) else ""


def read_columns(cells, readers):
    """[value] of a row's cells, each read by its reader (`readers`: [(column's title, position, reader)]);
    ValueError naming, in French, the first column that cannot be read."""
    values = []
    for title, position, reader in readers:
        try:
            values.append(reader(cell_at(cells, position)))
        except ValueError as error:
            raise ValueError(f"valeur illisible dans la colonne « {title[:80]} »") from error
    return values


def name_problem(names, who, limit):
    """Why names cannot be kept ("" when they can): `names` [(label, value)], e.g. [("nom", "MARTIN")]."""
    for label, value in names:
        if not value:
            return f"le {label} du {who} est vide"
        if len(value) > limit:
            return f"le {label} du {who} dépasse {limit} caractères"
    return ""


def describe_columns(header, limit=12):
    """The first columns of a file, quoted, for a message saying what was recognised."""
    shown = ", ".join(f"« {name[:60]} »" for name in header[:limit] if name)
    more = len([name for name in header if name]) - limit
    return shown + (f" et {more} autres" if more > 0 else "")


def refuse_missing(header, missing, what):
    """Refuse a file that lacks the columns `missing`, saying which it has."""
    names = ", ".join(f"« {name} »" for name in missing)
    raise PixFileError(
        f"Ce fichier n'est pas {what} : il y manque les colonnes {names}.",
        f"Colonnes trouvées : {describe_columns(header) or 'aucune'}.",
    )
