"""The letter informing pupils' legal guardians of a campaign: one page per pupil, for a class in the request, or for
every class of the campaign at once as a background job (orga/results/exports.py, `Report.Kind.SCHOOL_LETTERS`).

A whole school (1,000 pupils and more) is laid out by WeasyPrint in chunks of `CHUNK` pupils, each chunk one
document, the chunks' PDFs then joined by pypdf: the job reports its progress after each chunk and holds one chunk's
layout in memory at a time (docs/benchmarks.md, « Documents »).
"""

import io

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents.pdf import render_pdf
from orga.pupils.models import Division, Pupil

TEMPLATE = "orga/pdf/guardians_letter.html"
CHUNK = 100


def letter_divisions(campaign):
    """The classes a campaign's letters go to: its own classes, or every class of its school when it names none."""
    divisions = list(campaign.divisions.all())
    return divisions or list(Division.objects.filter(school_id=campaign.school_id))


def letter_pupils(divisions):
    """The active pupils of these classes, class after class (by name), each by family then first name."""
    return list(
        Pupil.objects.filter(division__in=divisions, is_active=True)
        .select_related("division")
        .order_by("division__name", "division_id", "last_name", "first_name", "id")
    )


def code_url(request=None):
    """The address where a pupil types a campaign's code: from the request, else from `SITE_URL` (a worker)."""
    path = reverse("orga:enter_code")
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path


def letter_context(campaign, school, pupils, url, division=None, today=None):
    return {
        "campaign": campaign,
        "school": school,
        "division": division,
        "pupils": pupils,
        "competences": sorted(campaign.competences.all(), key=lambda c: c.code),
        "code_url": url,
        "today": today or timezone.localdate(),
    }


def letters_pdf(campaign, school, pupils, url, *, progress=None, chunk=None, today=None):
    """Every pupil's letter in one PDF; `progress(done, total)` after each chunk of `chunk` (`CHUNK`) pupils."""
    from pypdf import PdfWriter  # only where letters are joined

    chunk = chunk or CHUNK
    today = today or timezone.localdate()
    if len(pupils) <= chunk:
        data = render_pdf(TEMPLATE, letter_context(campaign, school, pupils, url, today=today))
        if progress:
            progress(1, 1)
        return data
    writer = PdfWriter()
    parts = range(0, len(pupils), chunk)
    for done, start in enumerate(parts, start=1):
        part = render_pdf(TEMPLATE, letter_context(campaign, school, pupils[start : start + chunk], url, today=today))
        writer.append(io.BytesIO(part))
        if progress:
            progress(done, len(parts))
    writer.add_metadata({"/Title": f"Information des responsables légaux — {campaign.name}"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
