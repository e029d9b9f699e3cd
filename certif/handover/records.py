"""Every hand-over of results (export, attestations) is recorded: the checklist ticks « Importer les résultats dans
le LSU / LSL » from these rows."""

from .models import HandOver


def record(*, school, kind, school_year, division_name="", user=None, certifications=0):
    return HandOver.objects.create(
        school=school,
        kind=kind,
        school_year=school_year,
        division_name=division_name[:50],
        user=user if user is not None and user.is_authenticated else None,
        certifications=certifications,
    )
