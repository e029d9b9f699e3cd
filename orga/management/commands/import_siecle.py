import json
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orga.pupils.importing import apply_pupils, preview_pupils
from orga.pupils.models import SiecleImport
from orga.pupils.siecle import MAX_FILE_BYTES, SiecleFileError, parse_pupils_file, too_big_message
from orga.schools.models import School

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Importe les élèves d'un export SIECLE (.xml, .zip) ou du CSV des lycées agricoles, sans attendre."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Chemin du fichier à importer")
        parser.add_argument("--uai", required=True, help="UAI de l'établissement")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie et compte sans rien enregistrer")
        parser.add_argument("--json", action="store_true", help="Affiche le bilan en un objet JSON")

    def handle(self, path, uai, dry_run, **options):
        as_json = options["json"]
        school = School.objects.filter(uai=uai.strip().upper()).first()
        if school is None:
            raise CommandError(f"Aucun établissement n'a l'UAI « {uai} ».")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            size = file.stat().st_size
            if size > MAX_FILE_BYTES:  # refused before anything is read, as the web upload is
                raise SiecleFileError(too_big_message(size))
            parsed = parse_pupils_file(
                file.read_bytes(), file.name, expected_uai=school.uai, agricultural=school.is_agricultural
            )
        except SiecleFileError as error:
            self._refuse(error.messages, as_json, error.count)
        if dry_run:
            report = preview_pupils(school, parsed)
        else:
            report = self._apply_under_lock(school, parsed, file.name, as_json)
        if as_json:
            self.stdout.write(self._json(report, []))
            return
        verb = "seraient" if dry_run else "ont été"
        self.stdout.write(
            f"{report['created']} élève(s) {verb} créé(s), {report['updated']} mis à jour "
            f"(dont {report['moved']} changé(s) de classe, {report['reenabled']} réactivé(s)), "
            f"{report['disabled']} désactivé(s) (absents du fichier), {report['left']} ayant quitté "
            f"l'établissement, {report['skipped']} ignoré(s)."
        )
        for name in report["left_names"]:
            self.stdout.write(f"  a quitté l'établissement : {name or 'élève sans nom'}")
        for skipped in report["skipped_details"]:
            self.stdout.write(f"  ignoré : {skipped['name'] or 'élève sans nom'} — {skipped['reason']}")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été enregistré.")

    def _refuse(self, messages, as_json, count=None):
        """`messages`: the first errors; `count`: how many there are in all (the file's, when it is refused)."""
        if as_json:
            self.stdout.write(self._json(None, messages, count))
        for message in messages:
            self.stderr.write(message)
        raise SystemExit(1)

    def _apply_under_lock(self, school, parsed, name, as_json):
        """Apply holding the school's import lock, the web import's own: a running SiecleImport row."""
        now = timezone.now()
        try:
            with transaction.atomic():
                siecle_import = SiecleImport.objects.create(
                    school=school,
                    original_name=name[:255],
                    status=SiecleImport.Status.RUNNING,
                    started_at=now,
                    heartbeat_at=now,
                    attempts=1,
                    progress_label="Enregistrement des élèves…",
                )
        except IntegrityError:  # the unique running import per school
            self._refuse([SiecleImport.busy_message], as_json)
        try:
            report = apply_pupils(school, parsed)
        except Exception as error:
            logger.exception("SIECLE import from the command line failed")
            siecle_import.fail(SiecleImport.generic_error)
            raise CommandError(SiecleImport.generic_error, returncode=1) from error
        except BaseException:  # interrupted (Ctrl-C): the lock is released all the same
            siecle_import.fail(SiecleImport.generic_error)
            raise
        siecle_import.succeed(report=report)
        return report

    @staticmethod
    def _json(report, errors, error_count=None):
        report = report or {}
        counts = ("created", "updated", "moved", "reenabled", "disabled", "left", "skipped", "unchanged")
        data = {key: int(report.get(key, 0)) for key in counts}
        data["errors"] = errors
        data["error_count"] = len(errors) if error_count is None else error_count
        return json.dumps(data, ensure_ascii=False)
