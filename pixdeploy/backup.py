"""Backups: a PostgreSQL dump and the media files in a dated folder, with a manifest to check a restore against.

A backup folder holds `database.dump` (`pg_dump -Fc`), `media.tar.gz` (MEDIA_ROOT) and `manifest.json`: the
rows and a checksum of each table, taken in the very snapshot that pg_dump saves (pg_export_snapshot), the
SHA-256 of each media file and of both archives. `restore` loads a folder into a new database and a media
folder, then checks both against the manifest. Everything here talks to PostgreSQL with psycopg2 and the client
tools (pg_dump, pg_restore), not through the ORM: the restored database is not the app's.
"""

import datetime
import hashlib
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import psycopg2
from django.conf import settings
from environ import Env
from psycopg2 import sql

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"

# The tables whose loss would be felt most (every table is checked; these are counted in the reports):
# schools and people, pupils, campaigns and their results, certification sessions, candidates, tests and
# results, exports and imports, hand-overs to the livret scolaire.
KEY_TABLES = [
    "accounts_user",
    "orga_school",
    "orga_membership",
    "orga_division",
    "orga_pupil",
    "orga_siecleimport",
    "orga_campaign",
    "orga_participation",
    "orga_answer",
    "orga_competenceresult",
    "orga_report",
    "certif_session",
    "certif_invigilator",
    "certif_candidate",
    "certif_certificationcourse",
    "certif_certificationquestion",
    "certif_issuereport",
    "certif_certificationresult",
    "certif_sessiondocument",
    "certif_handover",
    "crcn_challenge",
]


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message is French, for the operator."""


def database_settings(target=None):
    """Connection settings (Django's keys) of the app's database, or of `target`: a database name on the same
    server, or a full postgres:// URL."""
    current = settings.DATABASES["default"]
    if current["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Les sauvegardes demandent PostgreSQL : définissez DATABASE_URL (postgres://…).")
    if target is None:
        return dict(current)
    if "://" in target:
        return Env.db_url_config(target)
    return {**current, "NAME": target}


def _connect(db, name=None):
    return psycopg2.connect(
        dbname=name or db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def _client_env(db):
    """The environment of pg_dump and pg_restore: the password never on a command line."""
    env = {**os.environ, "PGHOST": str(db.get("HOST") or "127.0.0.1"), "PGPORT": str(db.get("PORT") or 5432)}
    if db.get("USER"):
        env["PGUSER"] = db["USER"]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def fingerprints(cursor):
    """{table: {"rows": n, "md5": …}} of every table of the database: the MD5 of all its rows' text, sorted.

    Every table, not only the key ones, so that a table added later is checked without anyone thinking of it.
    Rows are sorted by their text in the "C" collation and the session's time zone is UTC, so that the same
    rows give the same checksum on any server.
    """
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    found = {}
    for (table,) in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\"), '')) "
                "FROM {} t"
            ).format(sql.Identifier(table))
        )
        rows, digest = cursor.fetchone()
        found[table] = {"rows": rows, "md5": digest}
    return found


def database_fingerprints(db):
    connection = _connect(db)
    try:
        with connection.cursor() as cursor:
            return fingerprints(cursor)
    finally:
        connection.close()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_inventory(root):
    """{relative path: SHA-256} of every file under `root` (empty when the folder does not exist)."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): sha256_of(path) for path in sorted(root.rglob("*")) if path.is_file()}


def take_backup(destination, media_root=None, db=None):
    """Write a dated backup folder under `destination`; return (folder, manifest)."""
    db = db or database_settings()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    started = time.monotonic()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    folder = Path(destination) / f"pixdeploy-{db['NAME']}-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    # One snapshot for the checksums and the dump: what the manifest counts is exactly what the dump holds.
    connection = _connect(db)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = fingerprints(cursor)
            dump_started = time.monotonic()
            _run(
                ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-d", db["NAME"], "-f", str(folder / DUMP_NAME)],
                db,
                "pg_dump",
            )
            dump_seconds = time.monotonic() - dump_started
    finally:
        connection.close()
    media = media_inventory(media_root)
    with tarfile.open(folder / MEDIA_NAME, "w:gz") as archive:
        for name in media:
            archive.add(media_root / name, arcname=name)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": db["NAME"],
        "tables": tables,
        "media": media,
        "files": {
            name: {"bytes": (folder / name).stat().st_size, "sha256": sha256_of(folder / name)}
            for name in (DUMP_NAME, MEDIA_NAME)
        },
        "seconds": {"dump": round(dump_seconds, 2), "total": round(time.monotonic() - started, 2)},
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder, manifest


def _run(command, db, label):
    done = subprocess.run(command, env=_client_env(db), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{label} a échoué (code {done.returncode}) : {done.stderr.strip()[-2000:]}")


def read_manifest(folder):
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"Pas de {MANIFEST_NAME} dans {folder} : ce n'est pas un dossier de sauvegarde.") from error
    for name, expected in manifest["files"].items():
        if sha256_of(folder / name) != expected["sha256"]:
            raise BackupError(f"{name} ne correspond pas au manifeste : fichier abîmé ou modifié.")
    return manifest


def database_state(db):
    """ "absent", "empty" (no table of its own) or "not-empty"."""
    server = _connect(db, name="postgres")
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone() is None:
                return "absent"
    finally:
        server.close()
    connection = _connect(db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
            )
            return "empty" if cursor.fetchone()[0] == 0 else "not-empty"
    finally:
        connection.close()


def create_database(db):
    server = _connect(db, name="postgres")
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    finally:
        server.close()


def drop_database(db):
    server = _connect(db, name="postgres")
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))
    finally:
        server.close()


def compare(expected, found):
    """The differences between two {key: value} mappings, as French sentences (none: identical)."""
    problems = []
    for key in sorted(set(expected) | set(found)):
        if key not in found:
            problems.append(f"{key} : absent après la restauration")
        elif key not in expected:
            problems.append(f"{key} : présent après la restauration, absent de la sauvegarde")
        elif expected[key] != found[key]:
            problems.append(f"{key} : {expected[key]} dans la sauvegarde, {found[key]} après la restauration")
    return problems


def restore_backup(folder, target, media_target):
    """Load a backup folder into a new database and an empty media folder, then check both against the manifest.

    `target` is a database name on the app's server or a postgres:// URL. A database that exists with tables,
    or a media folder that holds files, is refused: a restore never overwrites anything.
    Returns what was done and what held; `created` tells whether the database was created here.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    db = database_settings(target)
    media_target = Path(media_target)
    if media_target.exists() and any(media_target.iterdir()):
        raise BackupError(f"Le dossier {media_target} n'est pas vide : choisissez un dossier neuf pour les fichiers.")
    state = database_state(db)
    if state == "not-empty":
        raise BackupError(
            f"La base {db['NAME']} existe et contient déjà des tables : la restauration ne remplace rien, "
            "donnez le nom d'une base neuve."
        )
    started = time.monotonic()
    if state == "absent":
        create_database(db)
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                db["NAME"],
                str(folder / DUMP_NAME),
            ],
            db,
            "pg_restore",
        )
    except BackupError:
        if state == "absent":
            drop_database(db)  # half restored: it would only block the next try
        raise
    database_seconds = time.monotonic() - started
    media_target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_NAME, "r:gz") as archive:
        archive.extractall(media_target, filter="data")  # no absolute path, no way out of the folder
    tables = database_fingerprints(db)
    table_problems = compare(manifest["tables"], tables)
    media_problems = compare(manifest["media"], media_inventory(media_target))
    return {
        "database": db["NAME"],
        "created": state == "absent",
        "media_root": str(media_target),
        "tables": tables,
        "media_files": len(manifest["media"]),
        "problems": {"tables": table_problems, "media": media_problems},
        "ok": not (table_problems or media_problems),
        "seconds": {"database": round(database_seconds, 2), "total": round(time.monotonic() - started, 2)},
    }
