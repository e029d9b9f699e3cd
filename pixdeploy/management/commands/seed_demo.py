import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from pixdeploy.demo import seed_demo


class Command(BaseCommand):
    help = "Crée ou rafraîchit l'établissement de démonstration et affiche les identifiants."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Affiche un objet JSON : uai et logins par rôle.")

    def handle(self, *args, **options):
        result = seed_demo()
        if options["json"]:
            self.stdout.write(json.dumps({"uai": result["uai"], "logins": result["logins"]}, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Établissement de démonstration : {result['school']} (UAI {result['uai']})")
        )
        labels = {
            "principal": "Chef d'établissement",
            "coadmin": "Co-administrateur",
            "teacher": "Enseignant",
            "pupil": "Élève",
            "superuser": "Super-administrateur",
            "referent": "Référent d'académie",
        }
        for role, login in result["logins"].items():
            if role == "invigilator":
                continue
            self.stdout.write(
                f"  {labels[role]:<22} identifiant : {login['username']:<18} mot de passe : {login['password']}"
            )
        sign_in = settings.SITE_URL.rstrip("/") + reverse("account_login")
        self.stdout.write(f"Ouvrez {sign_in} et connectez-vous avec l'un de ces comptes.")
        invigilator = result["logins"]["invigilator"]
        space = settings.SITE_URL.rstrip("/") + reverse("certif:invigilator_sign_in")
        self.stdout.write(
            f"Espace surveillant ({space}) : session n° {invigilator['session_number']}, "
            f"mot de passe {invigilator['password']}."
        )
