import json

from django.core.management.base import BaseCommand, CommandError

from crcn.content import CONTENT_DIR, ContentError, load_content


class Command(BaseCommand):
    help = "Charge la banque d'épreuves (crcn/content/*.json) : valide tout, puis écrit tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(CONTENT_DIR), help="dossier des fichiers <compétence>.json")
        parser.add_argument("--json", action="store_true", help="affiche le bilan en JSON")

    def handle(self, *args, **options):
        try:
            report = load_content(options["dir"])
        except ContentError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(f"{len(error.errors)} erreur(s) : rien n'a été chargé.", returncode=1) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        lines = [
            f"Sujets : {report['tubes']['created']} créés, {report['tubes']['updated']} mis à jour.",
            f"Tutoriels : {report['tutorials']['created']} créés, {report['tutorials']['updated']} mis à jour,"
            f" {report['tutorials']['deleted']} supprimés.",
            f"Acquis : {report['skills']['created']} créés, {report['skills']['updated']} mis à jour,"
            f" {report['skills']['deactivated']} désactivés.",
            f"Épreuves : {report['challenges']['created']} créées, {report['challenges']['updated']} mises à jour,"
            f" {report['challenges']['retired']} retirées.",
        ]
        self.stdout.write("\n".join(lines))
