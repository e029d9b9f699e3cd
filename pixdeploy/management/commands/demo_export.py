from pathlib import Path

from django.core.management.base import BaseCommand

from pixdeploy.demo_export import PATH, demo_export_zip


class Command(BaseCommand):
    help = "Écrit l'export SIECLE d'exemple de l'établissement de démonstration (docs/exemples/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(PATH), help=f"fichier à écrire (par défaut : {PATH})")

    def handle(self, *args, output, **options):
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(demo_export_zip())
        self.stdout.write(f"Export écrit : {path}")
