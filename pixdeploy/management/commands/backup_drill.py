import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.wording import count_of
from pixdeploy.backup import BackupError, database_settings
from pixdeploy.backup_drill import check_pages, run_drill

CHECKS = {
    "tables_identical": "toutes les tables identiques (lignes et empreinte)",
    "media_identical": "fichiers identiques octet pour octet",
    "pupil_page": "la page d'un élève montre le même élève",
    "session_results_page": "les résultats d'une session montrent le même candidat et le même score",
    "verification_page": "la vérification publique d'une attestation donne le même nom et le même score",
    "report_download": "un export téléchargé depuis la copie est identique",
}


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
        if options["seed"] and settings.PRODUCTION:
            raise CommandError(
                "--seed créerait l'établissement de démonstration et ses mots de passe connus : pas en production. "
                "Lancez l'exercice sans --seed, il part des données de l'application."
            )
        try:
            into = options["into"] or f"{database_settings()['NAME']}_restored"
            report = run_drill(into, seed=options["seed"], keep=options["keep"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            saved = report["backup"]
            self.stdout.write(
                f"Base {report['source']} sauvegardée ({saved['dump_bytes'] / 1e6:.1f} Mo en "
                f"{saved['seconds']['dump']} s, {count_of(saved['media_files'], 'fichier')}), "
                f"restaurée dans {report['restored_into']} en "
                f"{report['restore_seconds']['database']} s" + (", puis supprimée" if report["dropped"] else "")
            )
            for name, held in report["checks"].items():
                self.stdout.write(f"  {'ok   ' if held else 'ÉCHEC'} {CHECKS.get(name, name)}")
        if not report["ok"]:
            failed = [CHECKS.get(name, name) for name, held in report["checks"].items() if not held]
            problems = report["problems"]["tables"] + report["problems"]["media"] + failed
            raise CommandError(
                "L'exercice de restauration a échoué : " + " ; ".join(problems or ["aucune page vérifiée"])
            )
