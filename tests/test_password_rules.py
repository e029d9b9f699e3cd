"""Staff choose passwords of 12 characters at least, pupils 8 (issue 15), wherever a password is chosen: change,
reset, invitation, createsuperuser; pupils' generated temporary passwords are unchanged."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.password_validation import MinimumLengthByRoleValidator
from orga.pupils.accounts import generate_accounts
from orga.schools import invitations
from tests.factories import PASSWORD, PupilFactory, UserFactory

ELEVEN = "Qz7-lune-Kp"  # 11 characters, in no common list, like no name
TWELVE = "Qz7-lune-Kpw"
NINE = "Qz7-lu-Kp"
STAFF_MESSAGE = "Ce mot de passe est trop court pour un compte du personnel : il doit contenir au moins 12 caractères."


def errors(password, user):
    """What the length rule says (the other validators, e.g. similarity to a random name, are Django's)."""
    validators = [v for v in password_validation.get_default_password_validators() if hasattr(v, "staff")]
    try:
        password_validation.validate_password(password, user, password_validators=validators)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.django_db
def test_staff_need_12_characters_and_pupils_8(teacher, school_admin, superuser, pupil):
    assert len(ELEVEN) == 11 and len(TWELVE) == 12 and len(NINE) == 9
    for staff in (teacher, school_admin, superuser, None):
        assert errors(ELEVEN, staff) == [STAFF_MESSAGE]
        assert errors(TWELVE, staff) == []
    assert errors(NINE, pupil) == []
    assert errors("Qz7-lun", pupil) == ["Ce mot de passe est trop court : il doit contenir au moins 8 caractères."]


@pytest.mark.django_db
def test_a_superuser_linked_to_a_pupil_is_held_to_the_staff_rule(school, superuser):
    PupilFactory(school=school, user=superuser)
    assert errors(ELEVEN, superuser) == [STAFF_MESSAGE]


def test_the_help_text_is_in_french():
    assert MinimumLengthByRoleValidator().get_help_text() == (
        "Au moins 12 caractères pour le personnel (enseignants, administrateurs), 8 pour les élèves."
    )


def change(client, old, new):
    return client.post(reverse("account_change_password"), {"oldpassword": old, "password1": new, "password2": new})


@pytest.mark.django_db
def test_a_teacher_changing_their_password_needs_12_characters(client_for, teacher):
    client = client_for(teacher)
    response = change(client, PASSWORD, ELEVEN)
    assert response.status_code == 200
    assert "il doit contenir au moins 12 caractères" in response.content.decode()
    assert change(client, PASSWORD, TWELVE).status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password(TWELVE)


@pytest.mark.django_db
def test_a_pupil_s_generated_password_is_unchanged_and_their_own_needs_8(client, school):
    pupil = PupilFactory(school=school)
    credential = generate_accounts([pupil])[0]
    assert re.fullmatch(r"[a-z]{6}\d{2}", credential.password, re.I)  # 8 characters, as on the class sheets
    response = client.post(reverse("account_login"), {"login": credential.username, "password": credential.password})
    assert response.status_code == 302
    assert change(client, credential.password, NINE).status_code == 302


@pytest.mark.django_db
def test_a_staff_reset_by_e_mail_needs_12_characters(client, school_admin):
    client.post(reverse("account_reset_password"), {"email": school_admin.email})
    link = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": ELEVEN, "password2": ELEVEN})
    assert response.status_code == 200
    assert "il doit contenir au moins 12 caractères" in response.content.decode()
    school_admin.refresh_from_db()
    assert school_admin.check_password(PASSWORD)


@pytest.mark.django_db
def test_accepting_an_invitation_needs_12_characters(client, school, school_admin):
    invitation = invitations.invite(school, "nouvelle.prof@exemple.fr", "member", school_admin)
    url = reverse("orga:invitation_accept", args=[invitation.token])
    page = client.get(url).content.decode()
    assert "Au moins 12 caractères" in page
    form = {"first_name": "Nina", "last_name": "Durand"}
    response = client.post(url, {**form, "password1": ELEVEN, "password2": ELEVEN})
    assert response.status_code == 200
    assert "il doit contenir au moins 12 caractères" in response.content.decode()
    assert client.post(url, {**form, "password1": TWELVE, "password2": TWELVE}).status_code == 302


@pytest.mark.django_db
def test_createsuperuser_needs_12_characters(monkeypatch, capsys):
    answers = iter([ELEVEN, ELEVEN, "n", TWELVE, TWELVE])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    call_command("createsuperuser", username="chef", email="chef@exemple.fr", interactive=True, stdin=None)
    assert STAFF_MESSAGE in capsys.readouterr().err
    assert UserFactory._meta.model.objects.get(username="chef").check_password(TWELVE)


@pytest.mark.django_db
def test_the_admin_site_sets_a_teacher_s_password_of_12_characters_at_least(client_for, superuser, teacher):
    client = client_for(superuser)
    url = reverse("admin:auth_user_password_change", args=[teacher.id])  # Django names it so for any user model
    response = client.post(url, {"password1": ELEVEN, "password2": ELEVEN, "usable_password": "true"})
    assert response.status_code == 200
    assert "il doit contenir au moins 12 caractères" in response.content.decode()
    assert client.post(url, {"password1": TWELVE, "password2": TWELVE, "usable_password": "true"}).status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password(TWELVE)
