"""The one PDF helper: a template rendered to PDF bytes, and the HTTP response that carries them; the scoped
user-agent stylesheet lays documents out as WeasyPrint's own, and the collector's thresholds come back after one."""

import gc
import io
import threading
from unittest import mock

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.html import UA

from documents.pdf import (
    LAYOUT_THRESHOLDS,
    UNIVERSAL_MARKER_RULE,
    UNIVERSAL_PSEUDO_RULES,
    compact,
    document_class,
    fewer_collections,
    pdf_response,
    render_pdf,
    scoped_user_agent_css,
)


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


SAMPLE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
  @page { size: A4; margin: 15mm; @bottom-right { content: "Page " counter(page) " / " counter(pages); } }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 0.5pt solid #ccc; }
  ul.inside li { list-style-position: inside; }
</style></head><body>
  <h1>Bilan</h1><p>Un paragraphe <strong>gras</strong>, <em>penché</em>, <a href="https://pix.fr">un lien</a>.</p>
  <ul><li>Premier point</li><li>Second point</li></ul>
  <ul class="inside"><li>À l'intérieur</li></ul>
  <ol><li>Un</li><li>Deux</li><li>Trois</li></ol>
  <ol type="a" start="3"><li>c</li></ol>
  <table><thead><tr><th>Compétence</th><th>Niveau</th></tr></thead>
    <tbody><tr><td>1.1 Mener une recherche</td><td>■■□□□ 2</td></tr></tbody></table>
  <dl><dt>Terme</dt><dd>Définition</dd></dl><blockquote>Une citation</blockquote><q>entre guillemets</q>
  <p style="break-before: page">Seconde page<br>après un saut de ligne</p>
</body></html>"""


def test_the_scoped_sheet_drops_only_the_universal_pseudo_element_rules():
    lines = UA.splitlines()
    for rule in (*UNIVERSAL_PSEUDO_RULES, UNIVERSAL_MARKER_RULE):  # still in WeasyPrint's sheet
        assert any(line.startswith(rule) for line in lines), rule
    scoped = scoped_user_agent_css(UA).splitlines()
    assert not [line for line in scoped if line.startswith(("::", "*::"))]
    marker = next(line for line in lines if line.startswith(UNIVERSAL_MARKER_RULE))
    assert "li" + marker in scoped
    kept = [line for line in lines if not line.startswith((*UNIVERSAL_PSEUDO_RULES, UNIVERSAL_MARKER_RULE))]
    assert [line for line in scoped if line != "li" + marker] == kept


def test_a_document_is_the_same_pdf_as_with_weasyprints_own_sheet():
    ours = document_class()(string=SAMPLE).write_pdf()
    theirs = weasyprint.HTML(string=SAMPLE).write_pdf()
    assert ours == theirs


def test_weasyprint_cascades_the_scoped_sheet():
    document = document_class()
    with mock.patch.object(document, "_ua_stylesheets", autospec=True, side_effect=document._ua_stylesheets) as spy:
        document(string=SAMPLE).render()
    assert spy.called  # a WeasyPrint that stopped asking would silently cascade its full sheet again


def test_fewer_collections_raises_the_thresholds_and_restores_them():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == LAYOUT_THRESHOLDS
        with fewer_collections():  # a nested document (or another thread's) keeps them raised
            assert gc.get_threshold() == LAYOUT_THRESHOLDS
        assert gc.get_threshold() == LAYOUT_THRESHOLDS
    assert gc.get_threshold() == before


def test_thresholds_come_back_after_a_failure_and_across_threads():
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise ValueError("mise en page impossible")
    except ValueError:
        pass
    assert gc.get_threshold() == before
    started, release = threading.Event(), threading.Event()

    def other_document():
        with fewer_collections():
            started.set()
            release.wait(5)

    thread = threading.Thread(target=other_document)
    thread.start()
    started.wait(5)
    with fewer_collections():
        pass
    assert gc.get_threshold() == LAYOUT_THRESHOLDS  # the other thread's document is still being laid out
    release.set()
    thread.join()
    assert gc.get_threshold() == before


def test_a_thread_keeps_its_font_configuration_for_documents_without_fonts_of_their_own():
    from documents.pdf import font_configuration

    first = font_configuration("<p>Bilan</p>")
    assert font_configuration("<p>Lettre</p>") is first
    assert font_configuration("<style>@font-face { font-family: X; src: url(x.ttf) }</style>") is not first
    other = []
    thread = threading.Thread(target=lambda: other.append(font_configuration("<p>Bilan</p>")))
    thread.start()
    thread.join()
    assert other[0] is not first  # Pango's font maps stay in their thread


def test_documents_made_one_after_the_other_are_the_same_as_alone(template):
    alone = weasyprint.HTML(string="<html><body><h1>Bilan de Léa</h1><p>Niveau 3</p></body></html>").write_pdf()
    render_pdf(template, {"name": "Tom", "level": 5})  # fills this thread's font caches first
    assert render_pdf(template, {"name": "Léa", "level": 3}) == alone
