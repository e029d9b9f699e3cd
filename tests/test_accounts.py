import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from .factories import UserFactory


@pytest.mark.django_db
def test_user_model_is_custom_and_email_optional():
    user = UserFactory(username="noemie.durand0302", email="")
    assert user._meta.label == "accounts.User"
    assert user.email == ""
    assert user.must_change_password is False


@pytest.mark.django_db
def test_sign_in_with_username(client, pupil, password):
    response = client.post(reverse("account_login"), {"login": "lea.martin1405", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == pupil


@pytest.mark.django_db
def test_sign_in_with_email(client, school_admin, password):
    response = client.post(reverse("account_login"), {"login": school_admin.email, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == school_admin


@pytest.mark.django_db
def test_wrong_password_gets_a_french_message(client, pupil):
    response = client.post(reverse("account_login"), {"login": "lea.martin1405", "password": "faux"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "incorrect" in html
    assert "fr-alert--error" in html


@pytest.mark.django_db
def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"username": "intrus", "email": "intrus@exemple.fr", "password1": "Xy-12345678", "password2": "Xy-12345678"},
    )
    assert "Inscriptions fermées" in response.content.decode()
    assert not get_user_model().objects.filter(username="intrus").exists()


@pytest.mark.django_db
def test_sign_out(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
def test_password_change(client, teacher, password):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "Un-nouveau-mot-2-passe", "password2": "Un-nouveau-mot-2-passe"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Un-nouveau-mot-2-passe")


@pytest.mark.django_db
def test_the_new_password_may_not_be_the_current_one(client, teacher, password):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"), {"oldpassword": password, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert "Choisissez un mot de passe différent du mot de passe actuel." in response.content.decode()


@pytest.mark.django_db
def test_the_reset_page_sends_pupils_to_their_teacher(client):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert "demandez un nouveau mot de passe à votre professeur" in html
    assert "Recevoir le lien par courriel" in html


@pytest.mark.django_db
def test_password_reset_by_email_end_to_end(client, school_admin):
    response = client.post(reverse("account_reset_password"), {"email": school_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school_admin.email]
    link = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "Reinitialise-2026!", "password2": "Reinitialise-2026!"})
    assert response.status_code == 302
    school_admin.refresh_from_db()
    assert school_admin.check_password("Reinitialise-2026!")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_reset_password"],
)
def test_account_pages_are_in_french_with_the_dsfr(client, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert '<html lang="fr"' in html
    assert "dsfr.min.css" in html
    assert "fr-input" in html
