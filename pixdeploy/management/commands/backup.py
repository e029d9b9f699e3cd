import json

from django.core.management.base import BaseCommand, CommandError

from documents.wording import count_of
from pixdeploy.backup import BackupError, take_backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base PostgreSQL (pg_dump -Fc) et les fichiers déposés (MEDIA_ROOT) dans un dossier daté, "
        "avec un manifeste (lignes et empreinte des tables principales, empreinte de chaque fichier)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="Dossier où créer le dossier daté de la sauvegarde.")
        parser.add_argument("--json", action="store_true", help="Affiche le manifeste en JSON.")

    def handle(self, *args, **options):
        try:
            folder, manifest = take_backup(options["destination"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps({"folder": str(folder), **manifest}, ensure_ascii=False))
            return
        dump = manifest["files"]["database.dump"]["bytes"]
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Sauvegarde écrite dans {folder}")
            + f"\n  base : {dump / 1e6:.1f} Mo ({count_of(rows, 'ligne')} dans "
            f"{count_of(len(manifest['tables']), 'table')}), "
            f"{count_of(len(manifest['media']), 'fichier')}, en {manifest['seconds']['total']} s"
        )
