"""Every PDF of pixdeploy is a Django template rendered to HTML, then laid out by WeasyPrint.

WeasyPrint's time goes to laying out and drawing text, box by box (docs/benchmarks.md, « Documents »): the
templates keep it low with one HTML document for all pages, a small stylesheet, no flex or outside list markers
in repeated parts, and few cells (a pupil's level as a gauge of squares in its text, not a bar or SVG text).
`compact` drops the whitespace around block tags before parsing, which the layout would otherwise carry as empty
anonymous boxes.

Two costs are WeasyPrint's own, not the templates' (measured in docs/benchmarks.md, « Issue 14, item 2 »):
- its user-agent stylesheet gives every element six pseudo-elements (`::marker`, and the footnote and note
  calls and markers), each with computed styles; none of our documents has footnotes or notes, and only list
  items have markers, so `Document` cascades a copy of that sheet scoped to what we use;
- Python's cyclic garbage collector ran about 900 times for a class report, going through WeasyPrint's
  boxes, all alive until the end; `fewer_collections` raises its thresholds while a document is laid out;
- WeasyPrint makes a font configuration (Pango's font map and its caches) for each document unless given one:
  each thread keeps one for its documents, which load no fonts of their own (no @font-face).
"""

import gc
import re
import threading
from contextlib import contextmanager
from functools import cache

from django.http import HttpResponse
from django.template.loader import render_to_string

from .filenames import content_disposition

# Spaces, tabs and newlines next to the start or end tag of a block (or a table's part) render as nothing in the
# PDF templates, none of which sets `white-space: pre` or makes these tags inline. Non-breaking spaces are kept.
BLOCK_TAGS = (
    "html|head|body|style|title|meta|section|div|p|h[1-6]|ul|ol|li|dl|dt|dd"
    "|table|caption|colgroup|col|thead|tbody|tfoot|tr|th|td"
)
BLANK = "[ \t\r\n]+"
BEFORE_BLOCK = re.compile(rf"{BLANK}(?=</?(?:{BLOCK_TAGS})\b)")
AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCK_TAGS})\b[^<>]*>){BLANK}")


def compact(html):
    """The HTML without the blanks before and after a block's tags."""
    return AFTER_BLOCK.sub(r"\1", BEFORE_BLOCK.sub("", html))


# The user-agent rules that apply to every element of a document, for pseudo-elements we never use (footnotes,
# notes) or use only on list items (markers). Checked against WeasyPrint's sheet by tests/documents/test_pdf.py.
UNIVERSAL_PSEUDO_RULES = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback")
UNIVERSAL_MARKER_RULE = "::marker {"


def scoped_user_agent_css(css):
    """WeasyPrint's user-agent stylesheet without its footnote and note rules, its markers on list items only."""
    lines = []
    for line in css.splitlines():
        if line.startswith(UNIVERSAL_PSEUDO_RULES):
            continue
        lines.append("li" + line if line.startswith(UNIVERSAL_MARKER_RULE) else line)
    return "\n".join(lines)


@cache
def document_class():
    """weasyprint.HTML cascading the scoped user-agent stylesheet (built once per process)."""
    from weasyprint import CSS, HTML  # slow to import: only where a PDF is made
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA, UA_FORM_STYLESHEET

    # The sheet's @counter-style rules are already in WeasyPrint's own counter styles, which every document
    # copies (HTML._ua_counter_style); reading them again into those would be refused (disc, decimal).
    user_agent = CSS(string=scoped_user_agent_css(UA), counter_style=CounterStyle())

    class Document(HTML):
        def _ua_stylesheets(self, forms=False):
            return [user_agent, UA_FORM_STYLESHEET] if forms else [user_agent]

    return Document


# A young-generation collection every LAYOUT_THRESHOLD new objects rather than Python's 700, and older ones
# rarer: WeasyPrint's boxes stay alive until the document is written, so collecting them early frees nothing.
LAYOUT_THRESHOLDS = (10_000, 20, 100)
_collections_lock = threading.Lock()
_collections_state = {"depth": 0, "saved": None}


@contextmanager
def fewer_collections():
    """Raise the garbage collector's thresholds inside the block; restore them when the last block ends."""
    with _collections_lock:
        if _collections_state["depth"] == 0:
            _collections_state["saved"] = gc.get_threshold()
            gc.set_threshold(*LAYOUT_THRESHOLDS)
        _collections_state["depth"] += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_state["depth"] -= 1
            if _collections_state["depth"] == 0:
                gc.set_threshold(*_collections_state["saved"])


_fonts = threading.local()


def font_configuration(html):
    """This thread's font configuration, kept from one document to the next; a new one for a document that loads
    fonts (@font-face), which would otherwise stay in the next documents' configuration. Pango's font maps are not
    shared between threads."""
    from weasyprint.text.fonts import FontConfiguration

    if "@font-face" in html:
        return FontConfiguration()
    if getattr(_fonts, "configuration", None) is None:
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


def render_pdf(template_name, context, progress=None):
    """The PDF's bytes. `progress(done, total)`, if given, is called after the HTML (1/3) and the layout (2/3)."""
    html = compact(render_to_string(template_name, context))
    if progress:
        progress(1, 3)
    with fewer_collections():
        document = document_class()(string=html).render(font_config=font_configuration(html))
        if progress:
            progress(2, 3)
        return document.write_pdf()


def pdf_response(template_name, context, filename, *, attachment=False):
    """The PDF as an HTTP response, shown in the browser (or downloaded when `attachment`) as `filename`."""
    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, attachment=attachment)
    return response
