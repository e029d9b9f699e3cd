"""A table as CSV (`;`, BOM) and Excel: the header and the rows, text a spreadsheet would run defused."""

import csv
import io

from openpyxl import load_workbook

from documents.tables import csv_bytes, xlsx_bytes

HEADER = ["Nom", "Élèves", "Part (%)"]
ROWS = [["Collège Colette", 12, 50], ["=1+1", -3, None]]


def test_csv_has_a_bom_semicolons_and_defused_text():
    data = csv_bytes(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines == [HEADER, ["Collège Colette", "12", "50"], ["'=1+1", "-3", ""]]


def test_excel_has_a_bold_frozen_header_and_defused_text():
    book = load_workbook(io.BytesIO(xlsx_bytes("Un titre bien plus long que trente et un caractères", HEADER, ROWS)))
    sheet = book.active
    assert len(sheet.title) == 31 and sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert list(sheet.iter_rows(values_only=True)) == [tuple(HEADER), ("Collège Colette", 12, 50), ("'=1+1", -3, None)]
