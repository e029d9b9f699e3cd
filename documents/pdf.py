"""Every PDF of pixdeploy is a Django template rendered to HTML, then laid out by WeasyPrint.

WeasyPrint's time goes to laying out and drawing text, box by box (docs/benchmarks.md, « Documents »): the
templates keep it low with one HTML document for all pages, a small stylesheet, no flex or outside list markers
in repeated parts, and charts as CSS blocks rather than SVG text. `compact` drops the whitespace around block
tags before parsing, which the layout would otherwise carry as empty anonymous boxes.
"""

import re

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


def render_pdf(template_name, context, progress=None):
    """The PDF's bytes. `progress(done, total)`, if given, is called after the HTML (1/3) and the layout (2/3)."""
    from weasyprint import HTML  # slow to import: only where a PDF is made

    html = compact(render_to_string(template_name, context))
    if progress:
        progress(1, 3)
    document = HTML(string=html).render()
    if progress:
        progress(2, 3)
    return document.write_pdf()


def pdf_response(template_name, context, filename, *, attachment=False):
    """The PDF as an HTTP response, shown in the browser (or downloaded when `attachment`) as `filename`."""
    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, attachment=attachment)
    return response
