"""Verification codes for the validated results published before codes existed (the demo's June session)."""

import secrets

from django.db import IntegrityError, migrations, transaction

ALPHABET = "2346789BCDFGHJKMPQRTVWXY"


def give_codes(apps, schema_editor):
    Result = apps.get_model("certif", "CertificationResult")
    missing = Result.objects.filter(
        status="validated", verification_code__isnull=True, candidate__session__published_at__isnull=False
    )
    for result in missing:
        for _ in range(20):
            result.verification_code = "P-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
            try:
                with transaction.atomic():
                    result.save(update_fields=["verification_code"])
                break
            except IntegrityError:
                continue


class Migration(migrations.Migration):
    dependencies = [("certif", "0006_hand_over")]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]
