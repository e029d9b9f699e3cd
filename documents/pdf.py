"""Every PDF of pixdeploy is a Django template rendered to HTML, then laid out by WeasyPrint."""

from django.http import HttpResponse
from django.template.loader import render_to_string

from .filenames import content_disposition


def render_pdf(template_name, context, progress=None):
    """The PDF's bytes. `progress(done, total)`, if given, is called after the HTML (1/3) and the layout (2/3)."""
    from weasyprint import HTML  # slow to import: only where a PDF is made

    html = render_to_string(template_name, context)
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
