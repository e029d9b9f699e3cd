"""Cells of the CSV and Excel files we write: text a spreadsheet would run as a formula is quoted.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is a formula to Excel and LibreOffice: a campaign named `=HYPERLINK(...)`
would become a link to anywhere. Every text cell of every export goes through `defuse`; numbers,
dates and empty cells are left as they are (a negative number is a number, not a formula).
"""

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """The value, with a leading quote when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def defuse_row(values):
    return [defuse(value) for value in values]
