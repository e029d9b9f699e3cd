"""The one PDF helper: a template rendered to PDF bytes, and the HTTP response that carries them."""

import io

import pytest
from pypdf import PdfReader

from documents.pdf import compact, pdf_response, render_pdf


@pytest.fixture
def template(settings, tmp_path):
    (tmp_path / "document.html").write_text(
        "<html><body><h1>Bilan de {{ name }}</h1><p>Niveau {{ level }}</p></body></html>", encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return "document.html"


def text_of(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_render_pdf_gives_a_pdf_with_the_text(template):
    steps = []
    data = render_pdf(template, {"name": "Léa Martin", "level": 3}, progress=lambda done, total: steps.append(done))
    assert data.startswith(b"%PDF")
    assert "Bilan de Léa Martin" in text_of(data) and "Niveau 3" in text_of(data)
    assert steps == [1, 2]


def test_pdf_response_shows_the_pdf_or_downloads_it(template):
    response = pdf_response(template, {"name": "3e A", "level": 1}, "bilan-3eA.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bilan-3eA.pdf"'
    assert "Bilan de 3e A" in text_of(response.content)
    response = pdf_response(template, {"name": "3e A", "level": 1}, "bilan.pdf", attachment=True)
    assert response["Content-Disposition"] == 'attachment; filename="bilan.pdf"'


def test_compact_drops_the_blanks_around_blocks_only():
    html = (
        '<div>\n  <p>Bonjour <strong>Léa</strong> et\u00a0<span class="code">AB12</span> </p>\n'
        '  <td class="num">  3 </td>\n</div>'
    )
    assert (
        compact(html)
        == '<div><p>Bonjour <strong>Léa</strong> et\u00a0<span class="code">AB12</span></p><td class="num">3</td></div>'
    )
    assert compact("<p>a <b>b</b>\n<i>c</i></p>") == "<p>a <b>b</b>\n<i>c</i></p>"  # between inline tags: kept
