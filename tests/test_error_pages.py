"""Error pages speak French and carry the reason given by the code that refused."""

import pytest
from django.db import InterfaceError, OperationalError
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


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_is_a_french_503_that_asks_to_retry(client_for, school_admin, monkeypatch, error):
    client = client_for(school_admin)
    client.raise_request_exception = False

    def cut(*args, **kwargs):
        raise error("terminating connection due to administrator command")

    monkeypatch.setattr("pixdeploy.views.role_of", cut)
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert '<html lang="fr"' in html and "Service momentanément indisponible" in html


@pytest.mark.django_db
def test_any_other_error_stays_the_500_page(client_for, school_admin, monkeypatch):
    client = client_for(school_admin)
    client.raise_request_exception = False
    monkeypatch.setattr("pixdeploy.views.role_of", lambda user: 1 / 0)
    response = client.get("/")
    assert response.status_code == 500 and "Erreur inattendue" in response.content.decode()


def test_a_cut_database_connection_is_replaced_at_the_next_request(settings):
    # A persistent connection cut by PostgreSQL is replaced at the next request instead of failing it.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
