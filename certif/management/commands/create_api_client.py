"""Create a client of the livret scolaire's API; its secret is printed once, then only its hash is kept."""

import json

from django.core.management.base import BaseCommand, CommandError

from certif.handover.api.clients import create_client
from certif.handover.models import CERTIFICATIONS_SCOPE


class Command(BaseCommand):
    help = "Crée un client de l'API du livret scolaire (LSU, LSL) et affiche son secret, une seule fois."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="nom du client, par exemple « LSU »")
        parser.add_argument(
            "--scope",
            default=CERTIFICATIONS_SCOPE,
            help=f"portées autorisées, séparées par des espaces (par défaut : {CERTIFICATIONS_SCOPE})",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="afficher {client_id, client_secret} en JSON"
        )

    def handle(self, *args, name, scope, as_json, **options):
        if not name.strip() or not scope.split():
            raise CommandError("Le nom et la portée ne peuvent pas être vides.")
        client, secret = create_client(name.strip(), scope)
        if as_json:
            self.stdout.write(json.dumps({"client_id": client.client_id, "client_secret": secret}))
            return
        self.stdout.write(
            f"Client « {client.name} » créé.\n"
            f"Identifiant (client_id) : {client.client_id}\n"
            f"Secret (client_secret) : {secret}\n"
            f"Portées : {client.scopes}\n"
            "Notez le secret maintenant : il ne sera plus jamais affiché."
        )
