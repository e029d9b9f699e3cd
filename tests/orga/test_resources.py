from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crcn.models import Competence, Tube
from orga.campaigns.services import create_campaign
from orga.classes.resources import resources_for_needs
from orga.models import CompetenceResult, Participation, Resource
from orga.results.frames import campaign_results, tube_analysis
from tests.factories import MembershipFactory, PupilFactory, UserFactory


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def make_resource(school, author, title="Ressource", codes=("1.1",), level_min=1, level_max=3, **fields):
    resource = Resource.objects.create(
        school=school, author=author, title=title, level_min=level_min, level_max=level_max, **fields
    )
    resource.competences.set(Competence.objects.filter(code__in=codes))
    return resource


def page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(**overrides):
    competence = Competence.objects.get(code="1.1")
    return {
        "title": "Chercher avec des mots-clés",
        "description": "Une séance de 30 minutes.",
        "url": "https://exemple.fr/seance",
        "competences": [competence.id],
        "level_min": 1,
        "level_max": 2,
        **overrides,
    }


# --- List ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_the_school_resources_filtered_by_competence(
    client_for, school, teacher, school_admin, other_school, other_school_admin
):
    make_resource(school, teacher, "Moteurs de recherche", codes=["1.1"], url="https://exemple.fr/a")
    make_resource(school, school_admin, "Mots de passe robustes", codes=["4.1", "4.2"], url="https://exemple.fr/b")
    make_resource(other_school, other_school_admin, "Ressource voisine", codes=["1.1"], url="https://exemple.fr/c")
    client = client_for(teacher)
    html = page(client.get(url("resources", school)))
    assert "Moteurs de recherche" in html and "Mots de passe robustes" in html and "Ressource voisine" not in html
    assert "2 ressources" in html and "4.2 " in html and "Niveaux 1 à 3" in html
    # The teacher may delete their own resource only.
    assert html.count("Supprimer<span") == 1
    html = page(client.get(url("resources", school), {"competence": "4.2"}))
    assert "Mots de passe robustes" in html and "Moteurs de recherche" not in html
    fragment = page(client.get(url("resources", school), {"competence": "1.1"}, headers={"HX-Request": "true"}))
    assert "Moteurs de recherche" in fragment and "Mots de passe" not in fragment and "<html" not in fragment
    html = page(client.get(url("resources", school), {"competence": "9.9"}))
    assert "2 ressources" in html
    assert page(client_for(school_admin).get(url("resources", school))).count("Supprimer<span") == 2


@pytest.mark.django_db
def test_list_query_count_is_fixed(client_for, school, teacher):
    client = client_for(teacher)
    make_resource(school, teacher, codes=["1.1"], url="https://exemple.fr/")
    with CaptureQueriesContext(connection) as few:
        page(client.get(url("resources", school)))
    for n in range(12):
        author = MembershipFactory(school=school).user
        make_resource(school, author, f"Ressource {n}", codes=["1.1", "2.3", "5.1"], url="https://exemple.fr/")
    with CaptureQueriesContext(connection) as many:
        html = page(client.get(url("resources", school)))
    assert "Ressource 11" in html and "5.1 " in html
    assert len(many) == len(few)


# --- Create ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_a_link(client_for, school, teacher):
    response = client_for(teacher).post(url("resource_create", school), form_data())
    assert response.status_code == 302 and response.url == url("resources", school)
    resource = Resource.objects.get()
    assert (resource.school, resource.author, resource.url, resource.level_min, resource.level_max) == (
        school,
        teacher,
        "https://exemple.fr/seance",
        1,
        2,
    )
    assert [c.code for c in resource.competences.all()] == ["1.1"]


@pytest.mark.django_db
def test_create_with_a_file(client_for, school, teacher):
    upload = SimpleUploadedFile("fiche élève.pdf", b"%PDF-1.4 fiche", content_type="application/pdf")
    response = client_for(teacher).post(url("resource_create", school), form_data(url="", file=upload))
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.file.name.startswith(f"ressources/{school.uai}/") and resource.file.name.endswith(".pdf")
    assert resource.file.read() == b"%PDF-1.4 fiche"
    # Its author deletes it: the file goes with it.
    path = resource.file.path
    response = client_for(teacher).post(url("resource_delete", school, resource_id=resource.id))
    assert response.status_code == 302 and not Resource.objects.exists()
    assert not Path(path).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"url": ""}, "Indiquez un lien ou joignez un fichier."),
        ({"file": "both"}, "Indiquez un lien ou un fichier, pas les deux."),
        ({"url": "", "file": "exe"}, "Ce type de fichier n&#x27;est pas accepté."),
        ({"url": "", "file": "big"}, "Le fichier dépasse 10 Mo"),
        ({"competences": []}, "Choisissez au moins une compétence."),
        ({"level_min": 4, "level_max": 2}, "Le niveau de fin doit être supérieur ou égal au niveau de début."),
        ({"level_max": 9}, "Sélectionnez un choix valide"),
        ({"title": ""}, "Donnez un titre à la ressource."),
        ({"url": "pas une adresse"}, "Saisissez une adresse web valide"),
    ],
)
def test_create_refused_with_a_french_message(client_for, school, teacher, overrides, message):
    files = {
        "both": SimpleUploadedFile("fiche.pdf", b"%PDF"),
        "exe": SimpleUploadedFile("outil.exe", b"MZ"),
        "big": SimpleUploadedFile("video.zip", b"0" * (10 * 1024 * 1024 + 1)),
    }
    if "file" in overrides:
        overrides["file"] = files[overrides["file"]]
    response = client_for(teacher).post(url("resource_create", school), form_data(**overrides))
    html = page(response)
    assert message in html and "Corrigez les champs signalés." in html
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_a_file_of_exactly_10_mo_and_an_odt_are_accepted(client_for, school, teacher):
    client = client_for(teacher)
    for name, size in [("diaporama.ODP", 10 * 1024 * 1024), ("fiche.odt", 10)]:
        upload = SimpleUploadedFile(name, b"0" * size)
        assert client.post(url("resource_create", school), form_data(url="", file=upload)).status_code == 302
    assert Resource.objects.count() == 2


# --- Delete ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_author_and_admins_delete(client_for, school, teacher, school_admin):
    colleague = MembershipFactory(school=school, role="member").user
    mine = make_resource(school, teacher, "La mienne", url="https://exemple.fr/")
    theirs = make_resource(school, colleague, "Celle d'un collègue", url="https://exemple.fr/")
    client = client_for(teacher)
    assert client.post(url("resource_delete", school, resource_id=theirs.id)).status_code == 403
    assert client.get(url("resource_delete", school, resource_id=mine.id)).status_code == 405
    assert client.post(url("resource_delete", school, resource_id=mine.id)).status_code == 302
    assert list(Resource.objects.all()) == [theirs]
    response = client_for(school_admin).post(url("resource_delete", school, resource_id=theirs.id))
    assert response.status_code == 302 and not Resource.objects.exists()


@pytest.mark.django_db
def test_a_resource_without_author_is_deleted_by_admins_only(client_for, school, teacher, school_admin):
    orphan = make_resource(school, None, "Ancienne", url="https://exemple.fr/")
    assert "un ancien membre" in page(client_for(teacher).get(url("resources", school)))
    assert client_for(teacher).post(url("resource_delete", school, resource_id=orphan.id)).status_code == 403
    assert client_for(school_admin).post(url("resource_delete", school, resource_id=orphan.id)).status_code == 302


# --- Permissions ------------------------------------------------------------------------------------------

USERS = ["school_admin", "superuser", "teacher", "pupil", "other_school_admin", "anonymous"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_resource_pages_permissions(client_for, request, school, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    author = MembershipFactory(school=school, role="member").user
    resource = make_resource(school, author, url="https://exemple.fr/")
    client = client_for(user)
    expected = {"school_admin": 200, "superuser": 200, "teacher": 200, "pupil": 403, "other_school_admin": 404}
    for name in ("resources", "resource_create"):
        response = client.get(url(name, school))
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(f"{reverse('account_login')}?next=")
        else:
            assert response.status_code == expected[who], name
    response = client.post(url("resource_delete", school, resource_id=resource.id))
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        # The teacher is not the author: refused like a pupil.
        assert response.status_code == {**expected, "school_admin": 302, "superuser": 302, "teacher": 403}[who]
    assert Resource.objects.exists() == (who not in ("school_admin", "superuser"))
    response = client.post(url("resource_create", school), form_data())
    if who in ("school_admin", "superuser", "teacher"):
        assert response.status_code == 302 and Resource.objects.filter(author=user).exists()
    else:
        assert not Resource.objects.filter(title="Chercher avec des mots-clés").exists()


@pytest.mark.django_db
def test_a_resource_of_another_school_is_404(client_for, school, teacher, other_school, other_school_admin):
    foreign = make_resource(other_school, other_school_admin, url="https://exemple.fr/")
    assert client_for(teacher).post(url("resource_delete", school, resource_id=foreign.id)).status_code == 404
    assert client_for(other_school_admin).post(url("resource_delete", school, resource_id=foreign.id)).status_code == (
        404
    )
    assert Resource.objects.filter(id=foreign.id).exists()


# --- Resources for the training needs ---------------------------------------------------------------------


@pytest.mark.django_db
def test_resources_for_needs_by_competence_and_level(school, teacher, other_school, other_school_admin):
    c11, c21 = Competence.objects.get(code="1.1"), Competence.objects.get(code="2.1")
    tubes = {t.competence.code: t for t in Tube.objects.filter(competence__code__in=["1.1", "2.1"])}
    both = make_resource(school, teacher, "Les deux", codes=["1.1", "2.1"], level_min=1, level_max=2)
    advanced = make_resource(school, teacher, "Avancée", codes=["1.1"], level_min=4, level_max=6)
    make_resource(school, teacher, "Autre compétence", codes=["3.1"])
    make_resource(other_school, other_school_admin, "Voisine", codes=["1.1"])
    analysis = [
        {"competence": c11, "tube": tubes["1.1"]},
        {"competence": c21, "tube": tubes["2.1"]},
        {"competence": c11, "tube": tubes["1.1"], "level": 5},
        {"competence": c21, "tube": tubes["2.1"], "level": 3},
    ]
    with CaptureQueriesContext(connection) as queries:
        returned = resources_for_needs(school, analysis)
        titles = [[r.title for r in item["resources"]] for item in returned]
        authors = {r.author.username for item in returned for r in item["resources"]}
    assert returned is analysis
    assert titles == [["Avancée", "Les deux"], ["Les deux"], ["Avancée"], []]
    assert authors == {teacher.username}
    assert len(queries) == 1
    assert {r.id for r in analysis[0]["resources"]} == {both.id, advanced.id}
    assert resources_for_needs(school, []) == []


@pytest.mark.django_db
def test_resources_for_needs_reads_tube_analysis(school, teacher):
    campaign = create_campaign(
        school=school, owner=teacher, name="Rentrée", type="assessment", competence_codes=["1.1"]
    )
    for pupil in PupilFactory.create_batch(2, school=school):
        participation = Participation.objects.create(
            campaign=campaign, pupil=pupil, status=Participation.Status.SHARED, shared_at=timezone.now()
        )
        CompetenceResult.objects.create(participation=participation, competence=campaign.competences.get(), level=0)
    make_resource(school, UserFactory(), "Fiche 1.1", codes=["1.1"])
    analysis = resources_for_needs(school, tube_analysis(campaign_results(campaign)))
    assert analysis and all(item["competence"].code == "1.1" for item in analysis)
    assert all([r.title for r in item["resources"]] == ["Fiche 1.1"] for item in analysis)


@pytest.mark.django_db
def test_resource_file_is_downloaded_by_staff_only(client_for, request, school, teacher, tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from orga.models import Resource

    settings.MEDIA_ROOT = tmp_path
    resource = Resource.objects.create(school=school, author=teacher, title="Fiche")
    resource.file.save("fiche.html", ContentFile(b"<script>alert(1)</script>"))
    url = reverse("orga:resource_file", kwargs={"uai": school.uai, "resource_id": resource.id})
    response = client_for(teacher).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert client_for(request.getfixturevalue("other_school_admin")).get(url).status_code == 404
    assert client_for(request.getfixturevalue("pupil")).get(url).status_code == 403
