"""Pix Certif's session results brought in: analysed into a preview as orga's campaign import does, then — once
a school admin confirms — stored as published sessions « importées de Pix », one candidate and result a row.

Idempotence: a session is found by (school, Pix's session id), a result by Pix's certification number (unique),
and each result keeps the digest of its row: the same file twice changes nothing; a later file (a result
corrected by Pix's jury) updates the results whose row changed. A certification number imported by another school
is left out with a reason. Rows are matched by INE (Pix's external id, when it is one), else by names and birth
date (Pix's file has no class). The centre's name is checked against the school's as orga's import checks the
organisation. Imported validated results have no verification code: Pix's own code is not in the file, so
pixdeploy prints no attestation for them (Pix does)."""

import datetime

from django.db import transaction
from django.utils import timezone

from certif.results.models import CertificationResult
from certif.sessions import codes
from certif.sessions.models import Candidate, Grade, Session
from certif.sessions.services import new_number
from crcn.levels import max_reachable_level
from jobs.runner import run_job
from orga.pix_imports import services as common
from orga.pix_imports.matching import METHOD_LABELS, RowIdentity, match_rows
from orga.pupils.models import Pupil
from orga.schools.models import School

from .models import PixSessionImport
from .session_csv import read_session_results

NEW, UPDATED, UNCHANGED, UNMATCHED, INVALID = (
    common.NEW,
    common.UPDATED,
    common.UNCHANGED,
    common.UNMATCHED,
    common.INVALID,
)


def _row_data(row):
    return {
        "number": row.number,
        "session": row.session,
        "taken_on": row.taken_on.isoformat(),
        "centre": row.centre,
        "status": row.status,
        "level": row.level,
        "level_label": row.level_label,
        "pix_score": row.pix_score,
        "competence_levels": row.competence_levels,
        "comment": row.comment,
    }


def analyse_session(job):
    school = job.school
    job.report_progress(5, "Lecture du fichier…")
    results = common.read_upload(job, lambda data: read_session_results(data, max_reachable_level()))
    job.report_progress(40, "Reconnaissance des élèves…")
    identities = [RowIdentity(r.last_name, r.first_name, "", r.ine, r.birthdate, r.line) for r in results.rows]
    matches = match_rows(identities, common.pupil_refs(school))
    numbers = [row.number for row in results.rows if row.number]
    existing = {
        number: (school_id, digest)
        for number, school_id, digest in CertificationResult.objects.filter(
            pix_certification_number__in=numbers
        ).values_list("pix_certification_number", "candidate__session__school_id", "pix_fingerprint")
    }
    names = common.pupil_names([m.pupil_id for m in matches if m.pupil_id])
    rows = []
    for row, match in zip(results.rows, matches, strict=True):
        entry = {
            "line": row.line,
            "last_name": row.last_name[:100],
            "first_name": row.first_name[:100],
            "division": "",
            "pupil_id": match.pupil_id,
            "pupil": names.get(match.pupil_id, ""),
            "method": METHOD_LABELS.get(match.method, ""),
            "reason": match.reason,
        }
        known = existing.get(row.number)
        if row.error:
            entry.update(state=INVALID, reason=row.error, pupil_id=None, pupil="")
        elif known is not None and known[0] != school.id:
            entry.update(state=INVALID, reason="certification déjà importée par un autre établissement")
        elif match.pupil_id is None:
            entry["state"] = UNMATCHED
        else:
            data = _row_data(row)
            entry["data"] = data
            entry["fingerprint"] = common.fingerprint(data)
            entry["state"] = NEW if known is None else (UNCHANGED if known[1] == entry["fingerprint"] else UPDATED)
        rows.append(entry)
    matched = any(entry["pupil_id"] for entry in rows)
    warnings = [
        warning
        for centre in results.centres
        if (warning := common.check_organisation(centre, school, matched, "Le centre de certification du fichier"))
    ]
    sessions = {}
    for row in results.rows:
        if row.session and row.taken_on and row.session not in sessions:
            sessions[row.session] = {"pix_id": row.session, "date": f"{row.taken_on:%d/%m/%Y}", "centre": row.centre}
    return {
        "preview": {
            "kind": "session",
            "campaign": None,
            "sessions": list(sessions.values()),
            "notes": results.notes,
            "warnings": warnings,
            "rows": rows,
            "counts": common.counts_of(rows),
        },
        "errors": [],
    }


def _grade(school):
    return Grade.THIRD if school.type == School.Type.COLLEGE else Grade.TERMINALE


def _session_for(job, pix_id, data, now):
    session = Session.objects.select_for_update().filter(school=job.school, pix_session_id=pix_id).first()
    if session is not None:
        return session
    return Session.objects.create(
        school=job.school,
        pix_session_id=pix_id,
        number=new_number(),
        access_code=codes.access_code(),
        invigilator_password=codes.invigilator_password(),
        grade=_grade(job.school),
        date=datetime.date.fromisoformat(data["taken_on"]),
        start_time=datetime.time(0, 0),
        room=f"Session Pix n° {pix_id} (importée)",
        address=(data["centre"] or job.school.name)[:255],
        description="Session passée sur Pix Certif : ses résultats ont été importés depuis le fichier de Pix.",
        status=Session.Status.PROCESSED,
        created_by=job.confirmed_by or job.uploaded_by,
        finalised_at=now,
        published_at=now,
    )


UPDATED_FIELDS = [
    "status",
    "pix_score",
    "level",
    "level_label",
    "competence_levels",
    "comment_for_organisation",
    "pix_fingerprint",
    "computed_at",
]


def _result_fields(data, digest, now):
    return {
        "status": data["status"],
        "pix_score": data["pix_score"],
        "level": data["level"],
        "level_label": data["level_label"],
        "competence_levels": data["competence_levels"],
        "comment_for_organisation": data["comment"],
        "pix_certification_number": data["number"],
        "pix_fingerprint": digest,
        "computed_at": now,
    }


def apply_session(job):
    """Store the preview's rows (in one transaction): new results created, changed ones updated."""
    wanted = [row for row in job.preview["rows"] if row["state"] in (NEW, UPDATED, UNCHANGED)]
    report = dict.fromkeys((NEW, UPDATED, UNCHANGED), 0)
    report["skipped"] = len(job.preview["rows"]) - len(wanted)
    job.report_progress(10, "Enregistrement des résultats…")
    now = timezone.now()
    with transaction.atomic():
        pupils = {
            pupil.id: pupil
            for pupil in Pupil.objects.filter(
                school=job.school, is_active=True, id__in=[row["pupil_id"] for row in wanted]
            ).select_related("division")
        }
        existing = {
            result.pix_certification_number: result
            for result in CertificationResult.objects.select_for_update().filter(
                pix_certification_number__in=[row["data"]["number"] for row in wanted]
            )
        }
        sessions, new_pairs, to_update = {}, [], []
        for row in wanted:
            data, pupil = row["data"], pupils.get(row["pupil_id"])
            result = existing.get(data["number"])
            if pupil is None or (result is None and row["state"] != NEW):
                report["skipped"] += 1
                continue
            if result is not None:
                if result.pix_fingerprint == row["fingerprint"]:
                    report[UNCHANGED] += 1
                    continue
                for name, value in _result_fields(data, row["fingerprint"], now).items():
                    setattr(result, name, value)
                to_update.append(result)
                continue
            if data["session"] not in sessions:
                sessions[data["session"]] = _session_for(job, data["session"], data, now)
            candidate = _candidate(sessions[data["session"]], pupil, job)
            new_pairs.append((candidate, CertificationResult(**_result_fields(data, row["fingerprint"], now))))
        job.checkpoint()
        Candidate.objects.bulk_create([candidate for candidate, _result in new_pairs])
        for candidate, result in new_pairs:
            result.candidate = candidate
        CertificationResult.objects.bulk_create([result for _candidate, result in new_pairs])
        CertificationResult.objects.bulk_update(to_update, UPDATED_FIELDS)
    report[NEW], report[UPDATED] = len(new_pairs), len(to_update)
    report["sessions"] = sorted(session.id for session in sessions.values())
    return {"report": report}


def _candidate(session, pupil, job):
    """The pupil's identity copied as at an enrolment (the certificate bears these names)."""
    return Candidate(
        session=session,
        pupil=pupil,
        ine=pupil.ine,
        last_name=pupil.last_name,
        preferred_last_name=pupil.preferred_last_name,
        first_name=pupil.first_name,
        middle_name=pupil.middle_name,
        third_name=pupil.third_name,
        birthdate=pupil.birthdate,
        birth_city=pupil.birth_city,
        birth_city_code=pupil.birth_city_code,
        birth_country_code=pupil.birth_country_code,
        sex=pupil.sex,
        division_name=pupil.division.name if pupil.division else "",
        enrolled_by=job.confirmed_by or job.uploaded_by,
        end_screen_seen=True,
    )


def _session_work(job):
    if job.phase == job.Phase.ANALYSIS:
        return analyse_session(job)
    return common.record_import_done(job, apply_session(job))


def process_session_import(job_id, task=None):
    """Analyse or import, as the job's phase says. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(PixSessionImport, job_id, _session_work, task=task)
