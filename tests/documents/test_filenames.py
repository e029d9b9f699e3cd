import re

import pytest
from django.http import HttpResponse

from documents.filenames import MAX_LENGTH, content_disposition, download_filename

HOSTILE = '3e A\r\nX-Injected: 1"; evil'


def test_control_characters_quotes_and_separators_are_removed():
    name = download_filename(f"relance-{HOSTILE}/..\\x\u202egpj.exe\x00.pdf")
    assert not re.search(r"[\x00-\x1f\x7f\"'/\\;:\u202e]", name)
    assert name == "relance-3e AX-Injected- 1-- evil-..-xgpj.exe.pdf"


@pytest.mark.parametrize("name", ["", None, "\r\n", '"..."', "  .  "])
def test_nothing_left_gives_a_default_name(name):
    assert download_filename(name) == "document"


def test_long_names_keep_their_extension():
    name = download_filename("x" * 500 + ".pdf")
    assert len(name) == MAX_LENGTH and name.endswith("xxx.pdf")


def test_accented_names_travel_in_both_forms():
    header = content_disposition("lettre-familles-3eÉlite.pdf")
    assert header == (
        "attachment; filename=\"lettre-familles-3eElite.pdf\"; filename*=utf-8''lettre-familles-3e%C3%89lite.pdf"
    )
    assert content_disposition("relance-3eA.pdf", attachment=False) == 'inline; filename="relance-3eA.pdf"'


@pytest.mark.parametrize("name", [HOSTILE, "é\r\nSet-Cookie: x=1", "\u202e\u2028x\u2029"])
def test_the_header_is_accepted_and_writes_no_other_header(name):
    response = HttpResponse()
    response["Content-Disposition"] = content_disposition(name + ".csv")  # Django refuses a line break
    value = response["Content-Disposition"]
    assert "\r" not in value and "\n" not in value
    assert re.fullmatch(r"attachment; filename=\"[^\"\\]+\"(; filename\*=utf-8''[A-Za-z0-9%._~-]+)?", value)
