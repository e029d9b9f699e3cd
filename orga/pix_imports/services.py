"""Pix Orga's campaign results brought in: the upload queued, the file analysed into a preview, then — once a
school admin confirms — the results stored as a campaign "importée de Pix" with read-only participations.

Idempotence: the campaign is found by (school, Pix's campaign id), a participation by (campaign, pupil), and each
participation keeps a digest of the row it came from. Importing the same file again finds every row unchanged
and writes nothing; a later export of the same campaign (more pupils shared, a result improved) creates the new
participations and updates those whose row changed: Pix's export is the reference for an imported campaign. A
pupil missing from a later file keeps the participation imported before (an export filtered by class, say), and
rows whose results are not shared yet on Pix are listed, not imported.

Organisation: a file whose "Nom de l'organisation" is not the school's name (compared without case, accents or
hyphens) is refused when none of its rows matches a pupil of the school (another school's export), and read with
a warning otherwise (the same school under another name on pix.fr).
"""

import datetime
import hashlib
import json
import logging
import zoneinfo

from django.db import IntegrityError, transaction

from crcn.levels import max_reachable_level
from crcn.models import Competence
from jobs.queue import queue_on_commit
from jobs.runner import JobError, run_job
from orga.audit.services import Action, record
from orga.campaigns.models import Campaign, CompetenceResult, Participation
from orga.campaigns.services import create_campaign
from orga.campaigns.stats import refresh_campaign
from orga.pupils.models import Pupil
from orga.pupils.names import normalized_name

from .campaign_csv import estimated_result, read_campaign_export
from .csv_reading import PixFileError
from .matching import METHOD_LABELS, PupilRef, RowIdentity, match_rows
from .models import PixCampaignImport

logger = logging.getLogger(__name__)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# The states of a row in the preview and the report.
NEW, UPDATED, UNCHANGED, UNMATCHED, NOT_SHARED, INVALID = (
    "new",
    "updated",
    "unchanged",
    "unmatched",
    "not_shared",
    "invalid",
)
STATE_LABELS = {
    NEW: "À importer",
    UPDATED: "Mise à jour",
    UNCHANGED: "Déjà importé, inchangé",
    UNMATCHED: "Élève non reconnu",
    NOT_SHARED: "Résultats non partagés",
    INVALID: "Ligne illisible",
}


class ImportAlreadyRunning(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def start(model, school, uploaded_file, user):
    """Store the upload as a new import row of `model` and queue its analysis once committed."""
    if model.objects.filter(school=school).active().exists():
        raise ImportAlreadyRunning(model.busy_message)
    try:
        with transaction.atomic():
            job = model.objects.create(
                school=school, uploaded_by=user, original_name=uploaded_file.name[-255:], file=uploaded_file
            )
            queue_on_commit(model.task_name, job.id)
    except IntegrityError as error:  # another upload won the race (one running import per school)
        raise ImportAlreadyRunning(model.busy_message) from error
    return job


def confirm(job, user):
    """Queue the import of an analysed file: (French message, done)."""
    if not job.is_preview_ready:
        return "Cet aperçu a déjà été confirmé ou n'est pas prêt.", False
    if not job.preview.get("counts", {}).get(NEW) and not job.preview.get("counts", {}).get(UPDATED):
        return "Rien à importer : toutes les lignes reconnues sont déjà importées et inchangées.", False
    try:
        with transaction.atomic():
            done = job.confirm(user)
    except IntegrityError:
        return job.busy_message, False
    return ("L'import des résultats est lancé." if done else "Cet aperçu a déjà été confirmé."), done


def fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def pupil_refs(school):
    """The school's active pupils as the matching reads them (one query)."""
    return [
        PupilRef(
            id=pupil["id"],
            ine=pupil["ine"],
            last_names=(pupil["last_name"], pupil["preferred_last_name"]),
            first_name=pupil["first_name"],
            division=pupil["division__name"] or "",
            birthdate=pupil["birthdate"],
        )
        for pupil in Pupil.objects.filter(school=school, is_active=True).values(
            "id", "ine", "last_name", "preferred_last_name", "first_name", "division__name", "birthdate"
        )
    ]


def pupil_names(pupil_ids):
    return {
        pupil.id: f"{pupil} ({pupil.division})" if pupil.division else str(pupil)
        for pupil in Pupil.objects.filter(id__in=pupil_ids).select_related("division")
    }


def same_organisation(file_name, school):
    return not file_name or normalized_name(file_name) == normalized_name(school.name)


def check_organisation(file_name, school, matched, what):
    """A warning (French) when the file names another organisation, or JobError when nothing matched either."""
    if same_organisation(file_name, school):
        return ""
    if not matched:
        message = (
            f"Ce fichier vient d'un autre établissement (« {file_name[:150]} ») et aucun de ses élèves n'est un "
            f"élève de {school.name} : il est refusé."
        )
        raise JobError("Le fichier a été refusé : aucun résultat n'a été enregistré.", errors=[message])
    return (
        f"{what} est au nom de « {file_name[:150]} », pas de « {school.name} » : vérifiez qu'il s'agit bien de "
        "votre établissement avant de confirmer."
    )


def counts_of(rows):
    counts = dict.fromkeys(STATE_LABELS, 0)
    for row in rows:
        counts[row["state"]] += 1
    return counts


def refused(error):
    return JobError("Le fichier a été refusé : aucun résultat n'a été enregistré.", errors=error.messages)


def read_upload(job, reader):
    try:
        with job.file.open("rb") as f:
            return reader(f.read())
    except PixFileError as error:
        raise refused(error) from error


# --- Campaigns --------------------------------------------------------------------------------------------


def _row_data(row):
    return {
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "shared_at": row.shared_at.isoformat() if row.shared_at else None,
        "mastery": row.mastery,
        "competences": {
            code: [c.ratio, c.target_skills, c.validated_skills] for code, c in sorted(row.competences.items())
        },
    }


def analyse_campaign(job):
    """The preview of a campaign export: each row with its pupil (or why none) and what importing would do."""
    school = job.school
    job.report_progress(5, "Lecture du fichier…")
    titles = dict(Competence.objects.values_list("title", "code"))
    export = read_upload(job, lambda data: read_campaign_export(data, titles))
    job.report_progress(40, "Reconnaissance des élèves…")
    identities = [RowIdentity(r.last_name, r.first_name, r.division, r.ine, r.birthdate, r.line) for r in export.rows]
    matches = match_rows(identities, pupil_refs(school))
    campaign = Campaign.objects.filter(school=school, pix_campaign_id=export.campaign_id).first()
    existing = {}
    if campaign is not None:
        existing = dict(
            Participation.objects.current()
            .filter(campaign=campaign, imported_from_pix=True)
            .values_list("pupil_id", "pix_fingerprint")
        )
    names = pupil_names([m.pupil_id for m in matches if m.pupil_id])
    rows = []
    for row, match in zip(export.rows, matches, strict=True):
        entry = {
            "line": row.line,
            "last_name": row.last_name[:100],
            "first_name": row.first_name[:100],
            "division": row.division[:50],
            "pupil_id": match.pupil_id,
            "pupil": names.get(match.pupil_id, ""),
            "method": METHOD_LABELS.get(match.method, ""),
            "reason": match.reason,
        }
        if row.error:
            entry.update(state=INVALID, reason=row.error, pupil_id=None, pupil="")
        elif match.pupil_id is None:
            entry["state"] = UNMATCHED
        elif not row.shared:
            entry.update(state=NOT_SHARED, reason="résultats pas encore partagés sur Pix : rien à importer")
        else:
            data = _row_data(row)
            entry["data"] = data
            entry["fingerprint"] = fingerprint(data)
            previous = existing.get(match.pupil_id)
            entry["state"] = NEW if previous is None else (UNCHANGED if previous == entry["fingerprint"] else UPDATED)
        rows.append(entry)
    matched = any(entry["pupil_id"] for entry in rows)
    warning = check_organisation(export.organisation, school, matched, "Le fichier")
    return {
        "preview": {
            "kind": "campaign",
            "campaign": {
                "pix_id": export.campaign_id,
                "code": export.code,
                "name": export.name,
                "target_profile": export.target_profile,
                "organisation": export.organisation[:200],
                "competences": export.competence_codes,
                "existing_id": campaign.id if campaign else None,
            },
            "notes": export.notes,
            "warnings": [warning] if warning else [],
            "rows": rows,
            "counts": counts_of(rows),
        },
        "errors": [],
    }


def _aware(iso):
    return datetime.datetime.fromisoformat(iso).replace(tzinfo=PARIS) if iso else None


def _campaign_for(job, info):
    campaign = Campaign.objects.select_for_update().filter(school=job.school, pix_campaign_id=info["pix_id"]).first()
    if campaign is None:
        return create_campaign(
            school=job.school,
            owner=job.confirmed_by or job.uploaded_by,
            name=info["name"],
            type=Campaign.Type.ASSESSMENT,
            competence_codes=info["competences"],
            pix_campaign_id=info["pix_id"],
            pix_code=info["code"],
            pix_target_profile=info["target_profile"],
            description="Campagne passée sur pix.fr : ses résultats ont été importés depuis l'export de Pix Orga.",
        ), True
    missing = set(info["competences"]) - set(campaign.competences.values_list("code", flat=True))
    if missing:
        campaign.competences.add(*Competence.objects.filter(code__in=missing))
    return campaign, False


def apply_campaign(job):
    """Store the preview's rows (in one transaction): new participations created, changed ones updated."""
    preview = job.preview
    info = preview["campaign"]
    wanted = [row for row in preview["rows"] if row["state"] in (NEW, UPDATED, UNCHANGED)]
    max_level = max_reachable_level()
    report = dict.fromkeys((NEW, UPDATED, UNCHANGED), 0)
    report["skipped"] = len(preview["rows"]) - len(wanted)
    job.report_progress(10, "Enregistrement des résultats…")
    with transaction.atomic():
        campaign, created = _campaign_for(job, info)
        active = set(
            Pupil.objects.filter(
                school=job.school, is_active=True, id__in=[row["pupil_id"] for row in wanted]
            ).values_list("id", flat=True)
        )
        current = {p.pupil_id: p for p in Participation.objects.current().select_for_update().filter(campaign=campaign)}
        competences = {c.code: c for c in Competence.objects.filter(code__in=info["competences"])}
        to_create, to_update, results, started = [], [], [], {}
        for row in wanted:
            if row["pupil_id"] not in active:
                report["skipped"] += 1
                continue
            participation = current.get(row["pupil_id"])
            if participation is not None and participation.pix_fingerprint == row["fingerprint"]:
                report[UNCHANGED] += 1
                continue
            data = row["data"]
            if participation is None:
                participation = Participation(campaign=campaign, pupil_id=row["pupil_id"])
                to_create.append(participation)
            else:
                to_update.append(participation)
            shared_at = _aware(data["shared_at"]) or _aware(data["started_at"])
            participation.status = Participation.Status.SHARED
            participation.imported_from_pix = True
            participation.pix_mastery = data["mastery"]
            participation.pix_fingerprint = row["fingerprint"]
            participation.shared_at = participation.finished_at = shared_at
            started[id(participation)] = _aware(data["started_at"]) or shared_at
            participation.pix = 0
            for code, (ratio, target, _validated) in data["competences"].items():
                if code not in competences or ratio is None:  # "NA": no result in this competence
                    continue
                pix, level = estimated_result(ratio, max_level)
                participation.pix += pix
                results.append(
                    (
                        participation,
                        CompetenceResult(
                            competence=competences[code],
                            pix=pix,
                            level=level,
                            tested_skills=min(target or 0, 32767),
                            pix_mastery=ratio,
                        ),
                    )
                )
        job.checkpoint()
        fields = ["status", "imported_from_pix", "pix_mastery", "pix_fingerprint", "shared_at", "finished_at", "pix"]
        Participation.objects.bulk_create(to_create)
        # created_at is set on creation: Pix's start date is written afterwards.
        for participation in to_create:
            participation.created_at = started[id(participation)] or participation.created_at
        Participation.objects.bulk_update(to_create, ["created_at"])
        Participation.objects.bulk_update(to_update, fields)
        CompetenceResult.objects.filter(participation__in=to_update).delete()
        for participation, result in results:
            result.participation = participation
        CompetenceResult.objects.bulk_create([result for _participation, result in results])
        refresh_campaign(campaign)
    report[NEW], report[UPDATED] = len(to_create), len(to_update)
    report["campaign_id"] = campaign.id
    report["campaign_created"] = created
    return {"report": report}


def record_import_done(job, fields):
    """The audit event of an import of Pix results applied: by whoever confirmed it, with its counts."""
    report = fields.get("report", {})
    new, updated = report.get(NEW, 0), report.get(UPDATED, 0)
    target = (job._meta.verbose_name, job.pk, job.original_name)
    description = f"{new} nouveau(x), {updated} mis à jour"
    record(job.confirmed_by or job.uploaded_by, job.school, Action.PIX_IMPORT_DONE, target, description, once=True)
    return fields


def _campaign_work(job):
    if job.phase == job.Phase.ANALYSIS:
        return analyse_campaign(job)
    return record_import_done(job, apply_campaign(job))


def process_campaign_import(job_id, task=None):
    """Analyse or import, as the job's phase says. Safe to run twice (see jobs.runner.run_job)."""
    return run_job(PixCampaignImport, job_id, _campaign_work, task=task)
