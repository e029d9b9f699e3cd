import datetime

import pytest

from documents.cells import DANGEROUS_STARTS, defuse, defuse_row


@pytest.mark.parametrize("start", DANGEROUS_STARTS)
def test_text_a_spreadsheet_would_run_is_quoted(start):
    assert defuse(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["3e A", "Jean-Moulin", "", " =1", "'=1", "É=1"])
def test_other_text_is_left_alone(value):
    assert defuse(value) == value


@pytest.mark.parametrize("value", [-3, -2.5, 0, None, datetime.date(2026, 9, 1), True])
def test_numbers_dates_and_empty_cells_stay_what_they_are(value):
    assert defuse(value) is value


def test_a_row_is_defused_cell_by_cell():
    assert defuse_row(["=1", -1, "@A", None]) == ["'=1", -1, "'@A", None]
