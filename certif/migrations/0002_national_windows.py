"""The national certification windows: 2025-2026 as published, 2026-2027 on the same pattern (indicative until
the ministry publishes them). A superuser corrects them in the administration; this migration only adds the
rows that are missing, so it never overwrites a correction."""

import datetime

from django.db import migrations

D = datetime.date
LYCEE = ("terminale", "cap", "bts_cpge")
WINDOWS = [
    ("2025-2026", "3e", D(2026, 3, 16), D(2026, 6, 13), False),
    *[("2025-2026", grade, D(2025, 11, 3), D(2026, 3, 6), False) for grade in LYCEE],
    ("2026-2027", "3e", D(2027, 3, 15), D(2027, 6, 11), True),
    *[("2026-2027", grade, D(2026, 11, 2), D(2027, 3, 5), True) for grade in LYCEE],
]


def add_windows(apps, schema_editor):
    NationalWindow = apps.get_model("certif", "NationalWindow")
    for school_year, grade, starts_on, ends_on, is_indicative in WINDOWS:
        NationalWindow.objects.get_or_create(
            school_year=school_year,
            grade=grade,
            defaults={"starts_on": starts_on, "ends_on": ends_on, "is_indicative": is_indicative},
        )


class Migration(migrations.Migration):
    dependencies = [("certif", "0001_sessions_and_candidates")]

    operations = [migrations.RunPython(add_windows, migrations.RunPython.noop)]
