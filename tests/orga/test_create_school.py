from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from orga.models import Invitation, Membership, School

from ..factories import SchoolFactory

pytestmark = pytest.mark.django_db


def create_school(*args):
    out = StringIO()
    call_command("create_school", *args, stdout=out)
    return out.getvalue()


ARGS = [
    "--uai",
    "0751234j",
    "--name",
    "Collège Xavier-Bichat",
    "--type",
    "college",
    "--admin-email",
    " Principal@Exemple.fr",
]


def test_create_school_and_invite_its_first_admin(settings):
    settings.SITE_URL = "https://pixdeploy.exemple.fr"
    output = create_school(*ARGS, "--academie", "Paris")

    school = School.objects.get(uai="0751234J")
    assert (school.name, school.type, school.academie) == ("Collège Xavier-Bichat", "college", "Paris")
    invitation = Invitation.objects.get(school=school)
    assert invitation.email == "principal@exemple.fr"
    assert invitation.role == Membership.Role.ADMIN
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.invited_by is None
    link = f"https://pixdeploy.exemple.fr/invitation/{invitation.token}/"
    assert "Établissement créé : Collège Xavier-Bichat (UAI 0751234J" in output
    assert f"Lien d'invitation : {link}" in output
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["principal@exemple.fr"]
    assert link in mail.outbox[0].body
    assert "« Administrateur »" in mail.outbox[0].body


def test_the_academie_is_optional():
    create_school("--uai", "0751234J", "--name", "Lycée Y", "--type", "lycee_pro", "--admin-email", "a@exemple.fr")
    school = School.objects.get()
    assert (school.type, school.academie) == ("lycee_pro", "")


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0751234K", "L'UAI « 0751234K » a une clé incorrecte : la lettre attendue après 0751234 est J."),
        ("75123", "« 75123 » n'est pas un UAI"),
    ],
)
def test_a_bad_uai_is_refused(uai, message):
    args = list(ARGS)
    args[1] = uai
    with pytest.raises(CommandError, match=message) as error:
        create_school(*args)
    assert error.value.returncode == 1
    assert not School.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--name", "C" * 201, "Le nom de l'établissement compte 201 caractères : 200 au plus."),
        ("--name", "Collège\x00Bichat", r"Le nom de l'établissement contient un caractère nul \(\\x00\) : retapez-le."),
        ("--academie", "A" * 101, "L'académie compte 101 caractères : 100 au plus."),
        ("--academie", "Par\x00is", "L'académie contient un caractère nul"),
        (
            "--admin-email",
            "a" * 60 + "@" + "b" * 200 + ".fr",
            "L'adresse électronique compte 264 caractères : 254 au plus.",
        ),
        ("--admin-email", "a\x00b@exemple.fr", "L'adresse électronique contient un caractère nul"),
    ],
)
def test_what_the_database_cannot_keep_is_refused_in_french(option, value, message):
    args = [*ARGS, "--academie", "Paris"]
    args[args.index(option) + 1] = value
    with pytest.raises(CommandError, match=message) as error:
        create_school(*args)
    assert error.value.returncode == 1
    assert not School.objects.exists() and not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_existing_uai_is_refused():
    SchoolFactory(uai="0751234J", name="Collège déjà là")
    with pytest.raises(CommandError, match="Un établissement existe déjà avec l'UAI 0751234J : Collège déjà là."):
        create_school(*ARGS)
    assert School.objects.count() == 1
    assert not Invitation.objects.exists()


def test_a_bad_type_is_refused():
    args = list(ARGS)
    args[5] = "universite"
    with pytest.raises(CommandError, match="Type d'établissement inconnu : « universite ». Types possibles : college"):
        create_school(*args)
    assert not School.objects.exists()


def test_a_bad_email_is_refused():
    args = list(ARGS)
    args[7] = "pas-une-adresse"
    with pytest.raises(CommandError, match="n'est pas une adresse électronique valide"):
        create_school(*args)
    assert not School.objects.exists()


def test_missing_arguments_are_named_in_french():
    with pytest.raises(CommandError, match="Paramètres manquants : --name, --type, --admin-email."):
        create_school("--uai", "0751234J")
