"""Backups and the restore drill: what is restored is what was saved, and the app serves it.

The drill and the scripts need PostgreSQL's pg_dump and pg_restore: they run in CI, on the CI database server,
restoring into a database named after the test database (`<test database>_restored`), dropped at the end.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from pixdeploy import backup
from pixdeploy.backup_drill import check_pages, database_url, run_drill

ROOT = Path(__file__).resolve().parent.parent

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Sauvegarde par pg_dump et pg_restore : il faut PostgreSQL (DATABASE_URL, comme en CI).",
)


@pytest.fixture
def restored_name():
    """A database of this run's own, for the restores: a leftover of an interrupted run is dropped first."""
    target = backup.database_settings(f"{settings.DATABASES['default']['NAME']}_restored")
    backup.drop_database(target)
    yield target["NAME"]
    backup.drop_database(target)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@on_postgresql
def test_the_drill_restores_the_same_pupils_results_and_certifications(framework, media, restored_name, tmp_path):
    report = run_drill(restored_name, seed=True, workdir=tmp_path)

    assert report["problems"] == {"tables": [], "media": []}
    assert report["checks"] == {
        "tables_identical": True,
        "media_identical": True,
        "pupil_page": True,
        "session_results_page": True,
        "verification_page": True,
        "report_download": True,
    }
    assert report["ok"]
    for table in ("orga_pupil", "orga_competenceresult", "certif_candidate", "certif_certificationresult"):
        assert report["tables"][table] > 0
    assert report["backup"]["media_files"] == 1
    assert backup.database_state(backup.database_settings(restored_name)) == "absent"


@on_postgresql
def test_the_scripts_back_up_and_restore_into_a_new_database_only(
    transactional_db, media, restored_name, tmp_path, school
):
    (media / "exports").mkdir(parents=True)
    (media / "exports" / "bilan.csv").write_bytes(b"nom;score\nMARTIN;42\n")
    env = {**os.environ, "DATABASE_URL": database_url(backup.database_settings()), "MEDIA_ROOT": str(media)}
    env.pop("REDIS_URL", None)

    def run(*command):
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)

    saved = run("scripts/backup.sh", str(tmp_path / "sauvegardes"), "--json")
    assert saved.returncode == 0, saved.stderr
    manifest = json.loads(saved.stdout)
    assert manifest["tables"]["orga_school"]["rows"] == 1
    assert set(backup.KEY_TABLES) <= set(manifest["tables"])  # the key tables' names are still the models'
    assert list(manifest["media"]) == ["exports/bilan.csv"]

    restored = run("scripts/restore.sh", manifest["folder"], restored_name, str(tmp_path / "copie"), "--json")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["ok"]
    assert (tmp_path / "copie" / "exports" / "bilan.csv").read_bytes() == b"nom;score\nMARTIN;42\n"

    again = run("scripts/restore.sh", manifest["folder"], restored_name, str(tmp_path / "autre"))
    assert again.returncode != 0
    assert "contient déjà des tables" in again.stderr
    assert not (tmp_path / "autre").exists()


@on_postgresql
def test_a_restore_refuses_a_media_folder_with_files_and_a_damaged_backup(db, media, restored_name, tmp_path):
    folder, _ = backup.take_backup(tmp_path)
    (tmp_path / "plein").mkdir()
    (tmp_path / "plein" / "fichier").write_text("x")
    with pytest.raises(backup.BackupError, match="n'est pas vide"):
        backup.restore_backup(folder, restored_name, tmp_path / "plein")

    dump = folder / backup.DUMP_NAME
    dump.write_bytes(dump.read_bytes()[:-200])
    with pytest.raises(backup.BackupError, match="ne correspond pas au manifeste"):
        backup.restore_backup(folder, restored_name, tmp_path / "neuf")
    assert backup.database_state(backup.database_settings(restored_name)) == "absent"

    # The same damage with a manifest that agrees: pg_restore fails, and the database it began is dropped.
    manifest = json.loads((folder / backup.MANIFEST_NAME).read_text())
    manifest["files"][backup.DUMP_NAME]["sha256"] = backup.sha256_of(dump)
    (folder / backup.MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="pg_restore a échoué"):
        backup.restore_backup(folder, restored_name, tmp_path / "neuf")
    assert backup.database_state(backup.database_settings(restored_name)) == "absent"


def test_the_drill_tells_a_page_that_does_not_show_the_expected_pupil(school, school_admin, pupil):
    pupil_row = pupil.pupil
    fact = {"uai": school.uai, "id": pupil_row.id, "last_name": pupil_row.last_name}

    assert check_pages({"pupil": fact}) == {"pupil_page": True}
    assert check_pages({"pupil": {**fact, "last_name": "DURAND"}}) == {"pupil_page": False}


def test_differences_are_told_in_french():
    saved = {"orga_pupil": {"rows": 2, "md5": "a"}, "orga_school": {"rows": 1, "md5": "b"}}
    found = {"orga_pupil": {"rows": 1, "md5": "c"}, "certif_session": {"rows": 0, "md5": "d"}}

    assert backup.compare(saved, saved) == []
    assert backup.compare(saved, found) == [
        "certif_session : présent après la restauration, absent de la sauvegarde",
        "orga_pupil : {'rows': 2, 'md5': 'a'} dans la sauvegarde, {'rows': 1, 'md5': 'c'} après la restauration",
        "orga_school : absent après la restauration",
    ]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="Le refus ne concerne que SQLite.")
def test_backups_ask_for_postgresql():
    with pytest.raises(backup.BackupError, match="demandent PostgreSQL"):
        backup.database_settings()


def test_the_drill_will_not_seed_the_demo_school_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="pas en production"):
        call_command("backup_drill", "--seed")
