from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from orga.schools import invitations
from orga.schools.models import Invitation, Membership, School
from orga.schools.uai import normalize_uai, uai_error


class Command(BaseCommand):
    help = "Crée un établissement et invite son premier administrateur par courriel."

    def add_arguments(self, parser):
        # Checked in handle(), so that every refusal is explained in French.
        parser.add_argument("--uai", help="UAI de l'établissement, ex. 0751234J")
        parser.add_argument("--name", help="nom de l'établissement, ex. « Collège Jean-Moulin »")
        parser.add_argument("--type", help=f"type d'établissement : {', '.join(School.Type.values)}")
        parser.add_argument("--admin-email", help="adresse électronique du premier administrateur")
        parser.add_argument("--academie", default="", help="académie (facultatif), ex. Paris")

    def handle(self, *args, **options):
        missing = [
            f"--{name}" for name in ("uai", "name", "type", "admin-email") if not options[name.replace("-", "_")]
        ]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise CommandError(f"Paramètre{plural} manquant{plural} : {', '.join(missing)}.")
        uai = normalize_uai(options["uai"])
        message = uai_error(uai)
        if message:
            raise CommandError(message)
        name = options["name"].strip()
        if not name:
            raise CommandError("Le nom de l'établissement ne peut pas être vide.")
        academie = options["academie"].strip()
        _check_text("Le nom de l'établissement", name, School, "name")
        _check_text("L'académie", academie, School, "academie")
        school_type = options["type"].strip().lower()
        if school_type not in School.Type.values:
            raise CommandError(
                f"Type d'établissement inconnu : « {options['type']} ». "
                f"Types possibles : {', '.join(School.Type.values)}."
            )
        email = invitations.normalize_email(options["admin_email"])
        _check_text("L'adresse électronique", email, Invitation, "email")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"« {options['admin_email']} » n'est pas une adresse électronique valide.") from None
        existing = School.objects.filter(uai=uai).first()
        if existing is not None:
            raise CommandError(f"Un établissement existe déjà avec l'UAI {uai} : {existing.name}.")

        with transaction.atomic():
            school = School.objects.create(uai=uai, name=name, type=school_type, academie=academie)
            invitation = invitations.invite(school, email, Membership.Role.ADMIN, invited_by=None)

        self.stdout.write(
            self.style.SUCCESS(f"Établissement créé : {school.name} (UAI {school.uai}, {school.get_type_display()}).")
        )
        self.stdout.write(
            f"Invitation envoyée à {invitation.email} (administrateur), "
            f"valable jusqu'au {invitations.format_datetime(invitation.expires_at)}."
        )
        self.stdout.write(f"Lien d'invitation : {invitations.invitation_url(invitation)}")


def _check_text(label, value, model, field):
    """A French refusal for what the database cannot keep: a NUL character, or more than the field's length."""
    if "\x00" in value:
        raise CommandError(f"{label} contient un caractère nul (\\x00) : retapez-le.")
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        raise CommandError(f"{label} compte {len(value)} caractères : {limit} au plus.")
