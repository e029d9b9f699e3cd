"""A table (a header and rows of plain values) as the files the house writes: CSV with `;` in UTF-8 with a BOM
(Excel in French opens it as is), and Excel with the header in bold and frozen. Every text cell is defused."""

import csv
import io

from .cells import defuse_row


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(defuse_row(header))
    writer.writerows(defuse_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(title, header, rows):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit for a sheet's name
    sheet.append(defuse_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(defuse_row(row))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
