"""The official school calendars of 2025-2026 and 2026-2027 (zones A, B, C), as published by the ministry
(arrêté fixing the school calendar; dates written from what we know of it, to be checked against education.gouv.fr
and corrected by a superuser in the administration). Toussaint and Christmas are common to the three zones; the
winter holidays rotate. A holiday starts on its first day off and ends on the day classes resume. This migration only
adds the rows that are missing, so it never overwrites a correction."""

import datetime

from django.db import migrations

D = datetime.date
COMMON = {
    # Pre-rentrée of the teachers Fri 29 Aug 2025 (pupils Mon 1 Sep); Toussaint 18 Oct → 3 Nov; Christmas 20 Dec → 5 Jan.
    "2025-2026": (D(2025, 8, 29), D(2025, 10, 18), D(2025, 11, 3), D(2025, 12, 20), D(2026, 1, 5)),
    # Pre-rentrée Mon 31 Aug 2026 (pupils Tue 1 Sep); Toussaint 17 Oct → 2 Nov; Christmas 19 Dec → 4 Jan.
    "2026-2027": (D(2026, 8, 31), D(2026, 10, 17), D(2026, 11, 2), D(2026, 12, 19), D(2027, 1, 4)),
}
WINTER = {
    ("2025-2026", "A"): (D(2026, 2, 7), D(2026, 2, 23)),
    ("2025-2026", "B"): (D(2026, 2, 14), D(2026, 3, 2)),
    ("2025-2026", "C"): (D(2026, 2, 21), D(2026, 3, 9)),
    ("2026-2027", "A"): (D(2027, 2, 13), D(2027, 3, 1)),
    ("2026-2027", "B"): (D(2027, 2, 20), D(2027, 3, 8)),
    ("2026-2027", "C"): (D(2027, 2, 6), D(2027, 2, 22)),
}


def add_calendars(apps, schema_editor):
    SchoolCalendar = apps.get_model("pixdeploy", "SchoolCalendar")
    for (school_year, zone), (winter_starts, winter_ends) in WINTER.items():
        pre_rentree, toussaint_starts, toussaint_ends, christmas_starts, christmas_ends = COMMON[school_year]
        SchoolCalendar.objects.get_or_create(
            school_year=school_year,
            zone=zone,
            defaults={
                "pre_rentree": pre_rentree,
                "toussaint_starts": toussaint_starts,
                "toussaint_ends": toussaint_ends,
                "christmas_starts": christmas_starts,
                "christmas_ends": christmas_ends,
                "winter_starts": winter_starts,
                "winter_ends": winter_ends,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pixdeploy", "0002_school_calendar")]

    operations = [migrations.RunPython(add_calendars, migrations.RunPython.noop)]
