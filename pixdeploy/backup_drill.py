"""The backup and restore drill: back up the app's database and media, restore them into a new database, and
check that the app serves the same pupils, results and certifications from the copy.

The checks: rows and checksum of each key table identical (pixdeploy.backup), every media file byte for byte,
and pages rendered by the app itself running on the restored database in a child process (a pupil's page and a
certification session's results for the school's admin, the public verification of an attestation, an export's
file downloaded). The drill drops only the database it created.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape

from certif.models import CertificationResult
from orga.models import CompetenceResult, Membership, Participation, Report
from orga.results.exports import process_report
from pixdeploy import backup
from pixdeploy.demo import seed_demo


def database_url(db):
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{quote(db['NAME'], safe='')}"


def seed_with_a_report():
    """The demo school, and one CSV export of its results written to MEDIA_ROOT (a file the backup must keep)."""
    seed_demo()
    participation = Participation.objects.filter(competence_results__isnull=False).order_by("id").first()
    report = Report.objects.create(
        school=participation.campaign.school,
        campaign=participation.campaign,
        kind=Report.Kind.RESULTS_CSV,
        requested_by=participation.campaign.school.memberships.filter(role=Membership.Role.ADMIN)
        .order_by("id")
        .first()
        .user,
    )
    process_report(report.id)  # in this process: the drill needs no worker


def expected_facts():
    """What the restored app must show, read from the app's own database now."""
    facts = {}
    result = CompetenceResult.objects.select_related("participation__pupil__school").order_by("id").first()
    if result:
        pupil = result.participation.pupil
        facts["pupil"] = {"uai": pupil.school.uai, "id": pupil.id, "last_name": pupil.last_name}
    certification = (
        CertificationResult.objects.filter(verification_code__isnull=False)
        .select_related("candidate__session__school")
        .order_by("id")
        .first()
    )
    if certification:
        candidate = certification.candidate
        facts["certification"] = {
            "uai": candidate.session.school.uai,
            "session_id": candidate.session_id,
            "last_name": candidate.last_name,
            "pix_score": certification.pix_score,
            "code": certification.verification_code,
        }
    reports = Report.objects.filter(status=Report.Status.DONE).exclude(file="").select_related("school")
    for report in reports.order_by("-id")[:20]:
        path = Path(settings.MEDIA_ROOT) / report.file.name
        if path.is_file():  # an export whose file was cleaned up proves nothing
            facts["report"] = {"uai": report.school.uai, "id": report.id, "sha256": backup.sha256_of(path)}
            break
    return facts


def _client():
    from django.test import Client

    hosts = [host for host in settings.ALLOWED_HOSTS if host and not host.startswith(".") and host != "*"]
    return Client(HTTP_HOST=hosts[0] if hosts else "testserver", secure=True)


def _shows(response, *texts):
    page = response.content.decode()
    return response.status_code == 200 and all(str(text) in page or escape(str(text)) in page for text in texts)


def _staff_client(uai):
    """A client signed in as the school's admin (or, without one, a superuser): no password needed."""
    User = get_user_model()
    viewers = User.objects.filter(is_active=True, must_change_password=False)
    admin = viewers.filter(
        memberships__school__uai=uai, memberships__role=Membership.Role.ADMIN, memberships__is_active=True
    ).order_by("id")
    viewer = admin.first() or viewers.filter(is_superuser=True).order_by("id").first()
    client = _client()
    if viewer:
        client.force_login(viewer)
    return client


def check_pages(facts):
    """Run by the child process on the restored database: does the app show what `facts` expects?"""
    checks = {}
    if "pupil" in facts:
        pupil = facts["pupil"]
        url = reverse("orga:pupil_detail", kwargs={"uai": pupil["uai"], "pupil_id": pupil["id"]})
        checks["pupil_page"] = _shows(_staff_client(pupil["uai"]).get(url), pupil["last_name"])
    if "certification" in facts:
        fact = facts["certification"]
        url = reverse("certif:session_results", kwargs={"uai": fact["uai"], "session_id": fact["session_id"]})
        page = _staff_client(fact["uai"]).get(url)
        checks["session_results_page"] = _shows(page, fact["last_name"], fact["pix_score"])
        verified = _client().get(reverse("certif:verify", kwargs={"code": fact["code"]}))
        checks["verification_page"] = _shows(verified, fact["last_name"], fact["pix_score"])
    if "report" in facts:
        fact = facts["report"]
        url = reverse("orga:report_download", kwargs={"uai": fact["uai"], "report_id": fact["id"]})
        response = _staff_client(fact["uai"]).get(url)
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        checks["report_download"] = hashlib.sha256(body).hexdigest() == fact["sha256"]
    return checks


def _pages_on(db, media_root, facts, workdir):
    """The app started on the restored database and media, in a child process; its checks as a dict."""
    facts_file = Path(workdir) / "facts.json"
    facts_file.write_text(json.dumps(facts), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DATABASE_URL=database_url(db), MEDIA_ROOT=str(media_root))
    done = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "backup_drill", "--check-pages", str(facts_file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise backup.BackupError(f"L'application n'a pas démarré sur la base restaurée : {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def run_drill(restore_into, *, seed=False, keep=False, workdir=None):
    """Back up, restore into `restore_into` (a new database), check; return what was done and what held."""
    if seed:
        seed_with_a_report()
    facts = expected_facts()
    source = backup.database_settings()
    target = backup.database_settings(restore_into)
    if target["NAME"] == source["NAME"]:
        raise backup.BackupError("La base de restauration doit être une autre base que celle de l'application.")
    if backup.database_state(target) != "absent":
        raise backup.BackupError(
            f"La base {target['NAME']} existe déjà : l'exercice restaure dans une base qu'il crée, puis la supprime."
        )
    with tempfile.TemporaryDirectory(prefix="pixdeploy-drill-", dir=workdir) as scratch:
        folder, manifest = backup.take_backup(Path(scratch) / "sauvegardes")
        try:
            restored = backup.restore_backup(folder, restore_into, Path(scratch) / "media-restaure")
            pages = _pages_on(target, restored["media_root"], facts, scratch)
        finally:
            if not keep:
                backup.drop_database(target)
    checks = {
        "tables_identical": not restored["problems"]["tables"],
        "media_identical": not restored["problems"]["media"],
        **pages,
    }
    return {
        "source": source["NAME"],
        "restored_into": target["NAME"],
        "dropped": not keep,
        "backup": {
            "dump_bytes": manifest["files"][backup.DUMP_NAME]["bytes"],
            "media_bytes": manifest["files"][backup.MEDIA_NAME]["bytes"],
            "media_files": len(manifest["media"]),
            "seconds": manifest["seconds"],
        },
        "restore_seconds": restored["seconds"],
        "tables_checked": len(manifest["tables"]),
        "tables": {
            table: manifest["tables"][table]["rows"] for table in backup.KEY_TABLES if table in manifest["tables"]
        },
        "problems": restored["problems"],
        "checks": checks,
        "ok": restored["ok"] and all(checks.values()) and bool(pages),
    }
