import json

from django.core.management.base import BaseCommand, CommandError

from crcn.content import CONTENT_DIR, ContentError, load_content
from crcn.content_rules import TOTAL, describe_bias, longest_answer_bias, read_content, validate_content


class Command(BaseCommand):
    help = (
        "Charge la banque d'épreuves (crcn/content/*.json) : valide tout, puis écrit tout ou rien. Affiche aussi, "
        "par compétence, les questions à choix unique dont la bonne réponse est la plus longue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(CONTENT_DIR), help="dossier des fichiers <compétence>.json")
        parser.add_argument("--json", action="store_true", help="affiche le bilan en JSON")
        parser.add_argument("--check", action="store_true", help="valide les fichiers sans rien écrire")

    def handle(self, *args, **options):
        try:
            bias = longest_answer_bias(read_content(options["dir"]))
        except ContentError:
            bias = None  # unreadable files: the errors below say why
        try:
            if options["check"]:
                errors = validate_content(read_content(options["dir"]))
                if errors:
                    raise ContentError(errors)
                report = {"checked": True}
            else:
                report = load_content(options["dir"])
        except ContentError as error:
            if bias is not None and not options["json"]:
                self.stdout.write("\n".join(self.bias_lines(bias)))
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(f"{len(error.errors)} erreur(s) : rien n'a été chargé.", returncode=1) from None
        if options["json"]:
            self.stdout.write(json.dumps({**report, "longest_answer_bias": bias}, ensure_ascii=False, indent=2))
            return
        if options["check"]:
            lines = ["Banque valide (rien n'a été écrit)."]
        else:
            lines = [
                f"Sujets : {report['tubes']['created']} créés, {report['tubes']['updated']} mis à jour.",
                f"Tutoriels : {report['tutorials']['created']} créés, {report['tutorials']['updated']} mis à jour,"
                f" {report['tutorials']['deleted']} supprimés.",
                f"Acquis : {report['skills']['created']} créés, {report['skills']['updated']} mis à jour,"
                f" {report['skills']['deactivated']} désactivés.",
                f"Épreuves : {report['challenges']['created']} créées, {report['challenges']['updated']} mises à"
                f" jour, {report['challenges']['retired']} retirées.",
            ]
        self.stdout.write("\n".join(lines + self.bias_lines(bias)))

    @staticmethod
    def bias_lines(bias):
        lines = ["Bonne réponse la plus longue (questions à choix unique, au plus 1 sur 3) :"]
        for code, row in bias.items():
            lines.append(f"  {'Total' if code == TOTAL else code} : {describe_bias(row)}")
        return lines
