"""Verification codes given to validated results: at publication, and once for results published before codes
existed. A collision with another result's code (the unique constraint) draws again."""

from django.db import IntegrityError, transaction

from . import verification
from .models import CertificationResult

MAX_TRIES = 20


def give_code(result, choice=None):
    for _ in range(MAX_TRIES):
        result.verification_code = verification.generate(choice) if choice else verification.generate()
        try:
            with transaction.atomic():
                result.save(update_fields=["verification_code"])
            return result.verification_code
        except IntegrityError:
            continue
    raise RuntimeError("Aucun code de vérification libre après plusieurs tirages.")


def give_missing_codes(results):
    """Codes for the validated results of `results` that have none. Idempotent; returns how many were given."""
    given = 0
    for result in results.filter(status=CertificationResult.Status.VALIDATED, verification_code__isnull=True):
        give_code(result)
        given += 1
    return given
