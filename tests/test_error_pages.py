"""Error pages speak French and carry the reason given by the code that refused."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_403_shows_the_french_reason(client_for, pupil, school):
    response = client_for(pupil).get(reverse("orga:campaigns", kwargs={"uai": school.uai}))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr"' in html and "Accès refusé" in html
    assert "réservé aux personnels de l&#x27;établissement" in html


@pytest.mark.django_db
def test_404_is_in_french(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_500_page_needs_nothing_but_itself():
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Erreur inattendue" in html and 'lang="fr"' in html
