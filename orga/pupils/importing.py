"""Applies a parsed pupils' file to a school, and runs an uploaded import end to end.

The whole application happens in one transaction with bulk operations, so a file
is applied entirely or not at all, and the number of SQL queries does not grow
with the number of pupils (only with batches of BATCH_SIZE rows).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.queue import queue_on_commit
from jobs.runner import JobError, run_job
from orga.audit.services import Action, record

from .models import Division, Pupil, SiecleImport
from .siecle import SiecleFileError, parse_pupils_file

logger = logging.getLogger(__name__)
BATCH_SIZE = 5000

# Pupil fields that come from the file, compared on re-import.
FILE_FIELDS = (
    "last_name",
    "preferred_last_name",
    "first_name",
    "middle_name",
    "third_name",
    "birthdate",
    "sex",
    "birth_country_code",
    "birth_department_code",
    "birth_city_code",
    "birth_city",
    "mef_code",
    "status",
)


def _values_from(student):
    return {field: getattr(student, field) for field in FILE_FIELDS}


def empty_report():
    return {
        "created": 0,
        "updated": 0,
        "moved": 0,
        "disabled": 0,
        "reenabled": 0,
        "unchanged": 0,
        "skipped": 0,
        "left": 0,
        "divisions_created": 0,
        "skipped_details": [],
        "left_names": [],
    }


def apply_pupils(school, parsed, checkpoint=None):
    """Upsert the file's pupils by (school, INE); disable, never delete, those no longer in it."""
    report = empty_report()
    # Who the file says left is counted apart; the others skipped stay as they are (they are still in the file).
    ignored = [skipped for skipped in parsed.skipped if not skipped.left]
    report["left"] = len(parsed.skipped) - len(ignored)
    report["skipped"] = len(ignored)
    report["skipped_details"] = [{"name": skipped.name, "reason": skipped.reason} for skipped in ignored]
    report["left_names"] = [skipped.name for skipped in parsed.skipped if skipped.left]
    kept = {skipped.ine for skipped in ignored if skipped.ine}
    left = {skipped.ine for skipped in parsed.skipped if skipped.left}
    with transaction.atomic():
        divisions = {d.name: d for d in Division.objects.filter(school=school)}
        missing = sorted({s.division for s in parsed.students} - set(divisions))
        if missing:
            Division.objects.bulk_create([Division(school=school, name=name) for name in missing])
            divisions = {d.name: d for d in Division.objects.filter(school=school)}
            report["divisions_created"] = len(missing)

        existing = {
            p.ine: p
            for p in Pupil.objects.filter(school=school).only("id", "ine", "is_active", "division_id", *FILE_FIELDS)
        }
        to_create, to_update = [], []
        for student in parsed.students:
            values = _values_from(student)
            division_id = divisions[student.division].id
            pupil = existing.pop(student.ine, None)
            if pupil is None:
                to_create.append(Pupil(school=school, ine=student.ine, division_id=division_id, **values))
                continue
            changed = any(getattr(pupil, field) != value for field, value in values.items())
            if pupil.division_id != division_id:
                report["moved"] += 1
                changed = True
            if not pupil.is_active:
                report["reenabled"] += 1
                changed = True
            if not changed:
                report["unchanged"] += 1
                continue
            for field, value in values.items():
                setattr(pupil, field, value)
            pupil.division_id = division_id
            pupil.is_active = True
            pupil.disabled_at = None
            to_update.append(pupil)

        Pupil.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if checkpoint:
            checkpoint()  # halfway through the transaction: a crash here must leave nothing written
        now = timezone.now()
        for pupil in to_update:
            pupil.updated_at = now
        Pupil.objects.bulk_update(
            to_update, [*FILE_FIELDS, "division_id", "is_active", "disabled_at", "updated_at"], batch_size=BATCH_SIZE
        )
        gone = [p.id for p in existing.values() if p.is_active and p.ine not in kept and p.ine not in left]
        leaving = [p.id for p in existing.values() if p.is_active and p.ine in left and p.ine not in kept]
        if gone or leaving:
            Pupil.objects.filter(id__in=gone + leaving).update(is_active=False, disabled_at=now, updated_at=now)

    report["created"] = len(to_create)
    report["updated"] = len(to_update)
    report["disabled"] = len(gone)
    return report


def preview_pupils(school, parsed):
    """The report `apply_pupils` would give, with nothing written (dry run)."""
    with transaction.atomic():
        report = apply_pupils(school, parsed)
        transaction.set_rollback(True)
    return report


def _audit(siecle_import, action, description, once=False, **detail):
    target = ("import SIECLE", siecle_import.pk, siecle_import.original_name)
    record(siecle_import.uploaded_by, siecle_import.school, action, target, description, once=once, **detail)


def _import_work(siecle_import):
    """The job's work: read and check the file, then apply it in one transaction (all or nothing)."""
    school = siecle_import.school
    siecle_import.report_progress(5, "Lecture du fichier…")
    try:
        with siecle_import.file.open("rb") as f:
            data = f.read()

        def on_progress(done, total):
            siecle_import.report_progress(
                5 + int(45 * done / max(total, 1)), f"Vérification des élèves ({done}/{total})…"
            )

        parsed = parse_pupils_file(
            data,
            siecle_import.original_name,
            expected_uai=school.uai,
            progress=on_progress,
            agricultural=school.is_agricultural,
        )
    except SiecleFileError as error:
        _audit(siecle_import, Action.SIECLE_IMPORT_REFUSED, f"Fichier refusé : {error.count} erreur(s)")
        raise JobError(
            "Le fichier a été refusé : aucun élève n'a été modifié.",
            errors=error.messages,
            report={"error_count": error.count},
        ) from error
    except Exception as error:
        logger.exception("SIECLE import %s could not be read", siecle_import.id)
        _audit(siecle_import, Action.SIECLE_IMPORT_REFUSED, "Fichier illisible")
        raise JobError("Le fichier n'a pas pu être lu.", errors=["Le fichier n'a pas pu être lu."]) from error
    siecle_import.report_progress(60, "Enregistrement des élèves…")
    report = apply_pupils(school, parsed, checkpoint=siecle_import.checkpoint)
    counts = {key: report[key] for key in ("created", "updated", "disabled")}
    description = "{created} créé(s), {updated} modifié(s), {disabled} désactivé(s)".format(**counts)
    _audit(siecle_import, Action.SIECLE_IMPORT_DONE, description, once=True, **counts)
    if counts["disabled"] or report["left"]:
        left = f"Désactivés : {counts['disabled']} absent(s) du fichier, {report['left']} parti(s) selon le fichier"
        _audit(siecle_import, Action.PUPIL_DISABLED, left, once=True, disabled=counts["disabled"], left=report["left"])
    return {"report": report, "errors": []}


def process_import(import_id, task=None):
    """Validate then apply an uploaded import. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(SiecleImport, import_id, _import_work, task=task)


class ImportAlreadyRunning(Exception):
    message = SiecleImport.busy_message


def start_import(school, uploaded_file, user):
    """Store the upload as a new import row and queue its processing once committed."""
    if SiecleImport.objects.filter(school=school).active().exists():
        raise ImportAlreadyRunning
    try:
        with transaction.atomic():
            # An interrupted import nobody retried gives way to the new file (its upload is deleted).
            for interrupted in SiecleImport.objects.filter(school=school, status="failed", interrupted=True):
                interrupted.discard()
            siecle_import = SiecleImport.objects.create(
                school=school, uploaded_by=user, original_name=uploaded_file.name[:255], file=uploaded_file
            )
            queue_on_commit(SiecleImport.task_name, siecle_import.id)
    except IntegrityError as error:  # another upload won the race (unique running import per school)
        raise ImportAlreadyRunning from error
    return siecle_import
