import json

from django.core.management.base import BaseCommand, CommandError

from pixdeploy.backup import BackupError, database_settings
from pixdeploy.backup_drill import check_pages, run_drill


class Command(BaseCommand):
    help = (
        "Exercice de sauvegarde et restauration : sauvegarde la base et les fichiers, les restaure dans une base "
        "neuve, vérifie tables, fichiers et pages servies par l'application sur la copie, puis supprime la copie."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--into", help="Base à créer pour la restauration (par défaut : le nom de la base suivi de _restored)."
        )
        parser.add_argument(
            "--seed",
            action="store_true",
            help="Crée d'abord l'établissement de démonstration et un export (base d'essai seulement).",
        )
        parser.add_argument("--keep", action="store_true", help="Garde la base restaurée (les fichiers non).")
        parser.add_argument("--json", action="store_true", help="Affiche le bilan en JSON.")
        # Used by the drill itself: the child process that runs the app on the restored database.
        parser.add_argument("--check-pages", metavar="FICHIER", help="(interne) vérifie les pages attendues.")

    def handle(self, *args, **options):
        if options["check_pages"]:
            with open(options["check_pages"], encoding="utf-8") as handle:
                self.stdout.write(json.dumps(check_pages(json.load(handle))))
            return
        try:
            into = options["into"] or f"{database_settings()['NAME']}_restored"
            report = run_drill(into, seed=options["seed"], keep=options["keep"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            for name, held in report["checks"].items():
                self.stdout.write(f"  {'ok ' if held else 'ÉCHEC'} {name}")
        if not report["ok"]:
            raise CommandError(
                "L'exercice de restauration a échoué : "
                + "; ".join(
                    report["problems"]["tables"]
                    + report["problems"]["media"]
                    + [name for name, held in report["checks"].items() if not held]
                )
            )
