from django.core.management.base import BaseCommand

from documents.wording import count_of
from pixdeploy.erasure import erase_pupil
from pixdeploy.models import ErasureRecord


class Command(BaseCommand):
    help = (
        "Efface les données des élèves donnés par leur numéro (RGPD), comme le fait un administrateur depuis la page "
        "de l'élève : après une restauration, refait les effacements demandés depuis la sauvegarde. Un élève déjà "
        "effacé ou inconnu est laissé tel quel."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "pupil_ids", nargs="+", type=int, help="Numéros des élèves (colonne pupil_id des effacements)."
        )

    def handle(self, *args, **options):
        erased = sum(
            erase_pupil(pupil_id, reason=ErasureRecord.Reason.REQUEST) is not None for pupil_id in options["pupil_ids"]
        )
        left = len(options["pupil_ids"]) - erased
        self.stdout.write(
            f"{count_of(erased, 'élève effacé', 'élèves effacés')}, "
            f"{count_of(left, 'déjà effacé ou inconnu', 'déjà effacés ou inconnus')}."
        )
