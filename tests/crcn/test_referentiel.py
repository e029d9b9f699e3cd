import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crcn.framework import read_framework
from crcn.models import Competence, Domain, Level

OFFICIAL = {
    "1": "Information et données",
    "1.1": "Mener une recherche et une veille d'information",
    "1.2": "Gérer des données",
    "1.3": "Traiter des données",
    "2": "Communication et collaboration",
    "2.1": "Interagir",
    "2.2": "Partager et publier",
    "2.3": "Collaborer",
    "2.4": "S'insérer dans le monde numérique",
    "3": "Création de contenu",
    "3.1": "Développer des documents textuels",
    "3.2": "Développer des documents multimédia",
    "3.3": "Adapter les documents à leur finalité",
    "3.4": "Programmer",
    "4": "Protection et sécurité",
    "4.1": "Sécuriser l'environnement numérique",
    "4.2": "Protéger les données personnelles et la vie privée",
    "4.3": "Protéger la santé, le bien-être et l'environnement",
    "5": "Environnement numérique",
    "5.1": "Résoudre des problèmes techniques",
    "5.2": "Construire un environnement numérique",
}


@pytest.mark.django_db
def test_migration_loads_the_official_framework():
    assert {d.code: d.title for d in Domain.objects.all()} == {k: v for k, v in OFFICIAL.items() if "." not in k}
    assert {c.code: c.title for c in Competence.objects.all()} == {k: v for k, v in OFFICIAL.items() if "." in k}
    for competence in Competence.objects.select_related("domain"):
        assert competence.code.startswith(competence.domain.code + ".")
        assert len(competence.description) > 40


@pytest.mark.django_db
def test_levels_and_their_groups():
    groups = dict(Level.objects.values_list("number", "group_name"))
    assert groups == {
        1: "Novice",
        2: "Novice",
        3: "Indépendant",
        4: "Indépendant",
        5: "Avancé",
        6: "Avancé",
        7: "Expert",
        8: "Expert",
    }


@pytest.mark.django_db
def test_loading_the_framework_again_changes_nothing():
    from crcn.framework import load_framework

    load_framework(Domain, Competence, Level, read_framework())
    assert (Domain.objects.count(), Competence.objects.count(), Level.objects.count()) == (5, 16, 8)


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "pupil", "teacher", "school_admin", "superuser"])
def test_referentiel_is_public_and_lists_every_competence(client_for, request, who):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(reverse("crcn:referentiel"))
    assert response.status_code == 200
    html = response.content.decode()
    for code, title in OFFICIAL.items():
        assert title.replace("'", "&#x27;") in html, title
        if "." in code:
            assert f'data-competence="{code}"' in html
    assert "640 pix" in html
    assert "Novice" in html and "Expert" in html


@pytest.mark.django_db
def test_referentiel_shows_1024_pix_when_level_8_is_open(client, settings):
    settings.PIX_MAX_REACHABLE_LEVEL = 8
    html = client.get(reverse("crcn:referentiel")).content.decode()
    assert "1024 pix" in html
    assert "au plus 64 pix par compétence" in html


@pytest.mark.django_db
def test_referentiel_query_count_is_fixed(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("crcn:referentiel"))
    assert len(queries) == 3  # domains, their competences, levels
