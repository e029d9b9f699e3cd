import json

from django.core.management.base import BaseCommand, CommandError

from documents.wording import count_of
from pixdeploy.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restaure un dossier de sauvegarde dans une base neuve (jamais dans une base qui contient des tables) et "
        "un dossier de fichiers vide, puis vérifie les tables principales et les fichiers d'après le manifeste."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Le dossier daté écrit par la commande backup.")
        parser.add_argument(
            "--into",
            required=True,
            help="Base à créer : un nom (même serveur que DATABASE_URL) ou une URL postgres://.",
        )
        parser.add_argument("--media-root", required=True, help="Dossier (vide ou absent) où déposer les fichiers.")
        parser.add_argument("--json", action="store_true", help="Affiche le bilan en JSON.")

    def handle(self, *args, **options):
        try:
            report = restore_backup(options["folder"], options["into"], options["media_root"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        elif report["ok"]:
            self.stdout.write(
                self.style.SUCCESS(f"Base {report['database']} restaurée et vérifiée")
                + f" ({count_of(len(report['tables']), 'table')} et "
                f"{count_of(report['media_files'], 'fichier')} comme dans la sauvegarde, fichiers dans "
                f"{report['media_root']}), en {report['seconds']['total']} s"
            )
        if not report["ok"]:
            problems = report["problems"]["tables"] + report["problems"]["media"]
            raise CommandError("La restauration ne correspond pas à la sauvegarde :\n  " + "\n  ".join(problems))
