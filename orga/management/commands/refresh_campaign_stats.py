from django.core.management.base import BaseCommand, CommandError

from orga.campaigns.models import Campaign
from orga.campaigns.stats import refresh_campaign


class Command(BaseCommand):
    help = (
        "Recalcule les statistiques des campagnes (participants par statut et par classe, niveaux, besoins) "
        "et la maîtrise de chaque participation, à partir des résultats enregistrés."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, action="append", help="ID d'une campagne (toutes sinon)")

    def handle(self, *args, **options):
        campaigns = Campaign.objects.order_by("id").prefetch_related("competences")
        if options["campaign"]:
            campaigns = campaigns.filter(id__in=options["campaign"])
            missing = set(options["campaign"]) - set(campaigns.values_list("id", flat=True))
            if missing:
                raise CommandError(f"Campagne introuvable : {', '.join(map(str, sorted(missing)))}.")
        done = 0
        for campaign in campaigns.iterator(chunk_size=100):
            refresh_campaign(campaign)
            done += 1
        self.stdout.write(f"{done} campagne{'s' if done > 1 else ''} recalculée{'s' if done > 1 else ''}.")
