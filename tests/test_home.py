import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pixdeploy import checklist

from .factories import MembershipFactory, PupilFactory, SiecleImportFactory, UserFactory


@pytest.mark.django_db
def test_anonymous_home_presents_the_service(client):
    html = client.get(reverse("home")).content.decode()
    assert "Se connecter" in html
    assert "Référentiel CRCN" in html
    assert 'href="#contenu"' in html  # skip link


@pytest.mark.django_db
def test_school_admin_sees_the_checklist_ticked_from_data(client_for, school, school_admin):
    school_admin.last_login = school_admin.date_joined
    school_admin.save()
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert school.name in html
    assert "Check-list de l'année" in html
    assert 'Accéder à l&#x27;espace de l&#x27;établissement <span class="fr-sr-only">(fait)' in html
    assert 'Importer la liste des élèves</a> <span class="fr-sr-only">(à faire)' in html
    assert "Importer les résultats dans le LSU" in html

    PupilFactory.create_batch(3, school=school)
    MembershipFactory(school=school, role="admin")
    MembershipFactory(school=school, role="member")
    html = client_for(school_admin).get(reverse("home")).content.decode()
    # Pupils without a list imported this school year: last year's list does not tick the item.
    assert 'Importer la liste des élèves</a> <span class="fr-sr-only">(à faire)' in html
    assert "3 élèves d&#x27;une liste d&#x27;une année précédente" in html

    SiecleImportFactory(school=school, pupils=3)
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert 'Importer la liste des élèves</a> <span class="fr-sr-only">(fait)' in html
    assert f"Liste importée le {timezone.localdate():%d/%m/%Y} : 3 élèves" in html
    assert 'Inviter un co-administrateur</a> <span class="fr-sr-only">(fait)' in html
    assert 'Inviter les enseignants</a> <span class="fr-sr-only">(fait)' in html


@pytest.mark.django_db
def test_lycee_checklist_names_terminales_and_lsl(client_for, school, school_admin):
    school.type = "lycee"
    school.save()
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert "la certification des Terminales" in html
    assert "Importer les résultats dans le LSL" in html


@pytest.mark.django_db
def test_pupil_home_shows_school_and_class(client_for, pupil):
    html = client_for(pupil).get(reverse("home")).content.decode()
    assert "Bonjour Léa" in html
    assert "Collège Jean-Moulin" in html
    assert "Check-list" not in html


@pytest.mark.django_db
def test_user_without_school_is_told_to_ask_for_an_invitation(client_for):
    html = client_for(UserFactory()).get(reverse("home")).content.decode()
    assert "rattaché à aucun établissement" in html


@pytest.mark.django_db
def test_navigation_by_role(client_for, superuser, teacher):
    assert "État du service" in client_for(superuser).get(reverse("home")).content.decode()
    assert "État du service" not in client_for(teacher).get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_pupils(client_for, school, school_admin):
    client = client_for(school_admin)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    PupilFactory.create_batch(20, school=school)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("home"))
    assert len(after) == len(before)


@pytest.mark.django_db
def test_service_status_permissions(client_for, superuser, teacher, school_admin):
    url = reverse("service_status")
    response = client_for(None).get(url)
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert client_for(teacher).get(url).status_code == 403
    assert client_for(school_admin).get(url).status_code == 403
    response = client_for(superuser).get(url)
    assert response.status_code == 200
    assert "Opérationnel" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accessibilite", "mentions_legales"])
def test_legal_pages(client, url_name):
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_pages_are_french_and_use_the_dsfr(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr"' in html
    assert "fr-header" in html and "fr-footer" in html
    assert "République<br>française" in html


@pytest.mark.django_db
def test_campaign_steps_are_ticked_from_campaigns_participations_and_exports(client_for, school, school_admin):
    from orga.campaigns.services import create_campaign
    from orga.models import Participation, Report

    client = client_for(school_admin)
    html = client.get(reverse("home")).content.decode()
    assert 'modalités (à distance et/ou en classe)</a> <span class="fr-sr-only">(à faire)' in html
    campaign = create_campaign(
        school=school, owner=school_admin, name="Rentrée", type="assessment", competence_codes=["1.1"]
    )
    html = client.get(reverse("home")).content.decode()
    assert 'modalités (à distance et/ou en classe)</a> <span class="fr-sr-only">(fait)' in html
    assert 'informer les responsables légaux</a> <span class="fr-sr-only">(à faire)' in html
    Participation.objects.create(campaign=campaign, pupil=PupilFactory(school=school), status="shared")
    html = client.get(reverse("home")).content.decode()
    assert 'informer les responsables légaux</a> <span class="fr-sr-only">(fait)' in html
    assert "1 élève a commencé" in html
    assert 'avec l&#x27;équipe pédagogique</a> <span class="fr-sr-only">(à faire)' in html
    Report.objects.create(school=school, campaign=campaign, requested_by=school_admin, kind="results_xlsx")
    html = client.get(reverse("home")).content.decode()
    assert 'avec l&#x27;équipe pédagogique</a> <span class="fr-sr-only">(fait)' in html


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_home_and_footer_describe_the_certification_as_it_works_now(client):
    text = _text(client.get(reverse("home")).content.decode())
    assert "préparation de la certification des 3e et des Terminales" in text
    assert "La certification est à venir" not in text
    # The footer names what exists, and what is still to come.
    assert (
        "certification (sessions, inscriptions, surveillance, documents imprimés, passage du test, espace du "
        "surveillant, finalisation et résultats, attestations, transmission au livret scolaire LSU ou LSL)" in text
    )
    assert "à venir" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "member"])
def test_staff_home_explains_the_certification_and_what_is_to_come(client_for, school, role):
    user = MembershipFactory(school=school, role=role).user
    html = client_for(user).get(reverse("home")).content.decode()
    section = _text(html[html.index('class="fr-mb-4w home-certification"') :])
    assert "planifient les sessions dans les fenêtres nationales" in section
    assert "pas encore certifiables ou ne se sont jamais positionnés" in section
    assert "répartissent la surveillance" in section
    assert "la feuille d'émargement, les convocations, le kit du surveillant et un PV d'incident vierge" in section
    assert "passe un test adaptatif de 32 questions (1 h 45, plus son temps majoré)" in section
    assert "autorise les reprises et traite les problèmes signalés" in section
    assert "calcule et publie les résultats" in section
    assert "le LSU (collège) ou le LSL (lycée) les récupère par l'API de pixdeploy" in section
    assert "attestation avec un code de vérification" in section and "Pas encore" not in section
    sessions_link = f'href="{reverse("certif:sessions", kwargs={"uai": school.uai})}"'
    surveillance_link = f'href="{reverse("certif:surveillance", kwargs={"uai": school.uai})}"'
    assert sessions_link in html
    assert (surveillance_link in html) == (role == "admin")  # the surveillance plan is the admins'


@pytest.mark.django_db
def test_checklist_links_lead_to_pages_that_exist(client_for, school, school_admin):
    client = client_for(school_admin)
    steps = checklist.checklist_for(school)
    links = [item.url for step in steps for item in step.items if item.url]
    assert links
    for url in links:
        assert client.get(url).status_code == 200, url
    # Planning, surveillance, enrolment, the convocations, finalisation and the results import lead to the
    # certification pages.
    certification = [item for step in steps if "certification" in step.title for item in step.items]
    assert sum(bool(item.url) for item in certification) == 6


@pytest.mark.django_db
def test_school_admins_find_the_accounts_pages_in_the_navigation(client_for, school, school_admin, teacher):
    link = f'href="{reverse("orga:divisions", kwargs={"uai": school.uai})}"'
    assert link in client_for(school_admin).get(reverse("home")).content.decode()
    assert link not in client_for(teacher).get(reverse("home")).content.decode()


def _two_campaigns_with_a_class(school, owner):
    """A class of 3 pupils, 2 of whom started both campaigns (4 participations, 2 pupils)."""
    from orga.campaigns.services import create_campaign
    from orga.models import Participation

    from .factories import DivisionFactory

    division = DivisionFactory(school=school, name="4e B")
    pupils = PupilFactory.create_batch(3, school=school, division=division)
    campaigns = [
        create_campaign(
            school=school, owner=owner, name=name, type="assessment", competence_codes=["1.1"], divisions=[division]
        )
        for name in ("Rentrée 4e", "Printemps 4e")
    ]
    for campaign in campaigns:
        for pupil in pupils[:2]:
            Participation.objects.create(campaign=campaign, pupil=pupil)
    return division, campaigns


@pytest.mark.django_db
def test_teacher_home_shows_their_classes_and_campaigns_and_every_link_answers(client_for, school, teacher):
    division, campaigns = _two_campaigns_with_a_class(school, MembershipFactory(school=school, role="admin").user)
    teacher.memberships.get().divisions.add(division)
    school.teachers_restricted_to_assigned_classes = True
    school.save()
    teacher.memberships.get().assigned_divisions.add(division)
    client = client_for(teacher)
    html = client.get(reverse("home")).content.decode()
    assert "Check-list" not in html and "Importer la liste" not in html
    assert "4e B" in html
    assert "2 élèves sur 3" in html  # participants: pupils, not participations
    assert "0 élève sur 3" in html  # objective reached, in the singular
    for campaign in campaigns:
        assert campaign.name in html
    assert "2 élèves ont participé" in html
    main = html[html.index('id="contenu"') :]
    hrefs = set(re.findall(r'href="(/[^"#]*)"', main))
    assert hrefs
    for href in hrefs:
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_checklist_counts_pupils_not_participations(client_for, school, school_admin):
    _two_campaigns_with_a_class(school, school_admin)
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert "2 élèves ont commencé" in html
    assert "4 élèves" not in html


@pytest.mark.django_db
def test_counts_use_the_singular_for_zero_and_one(client_for, school, school_admin):
    from pixdeploy.wording import count_of

    assert [count_of(n, "élève") for n in (0, 1, 2)] == ["0 élève", "1 élève", "2 élèves"]
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert "0 élève actif dans 0 classe." in html


@pytest.mark.django_db
def test_checking_progress_is_ticked_from_followed_classes_and_links_to_my_classes(client_for, school, school_admin):
    from .factories import DivisionFactory

    client = client_for(school_admin)
    my_classes = reverse("orga:my_classes", kwargs={"uai": school.uai})
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{my_classes}">Vérifier l&#x27;avancée des élèves</a> <span class="fr-sr-only">(à faire)' in html
    division = DivisionFactory(school=school)
    MembershipFactory(school=school, role="member").divisions.add(division)
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{my_classes}">Vérifier l&#x27;avancée des élèves</a> <span class="fr-sr-only">(fait)' in html
    assert "1 classe suivie" in html


@pytest.mark.django_db
def test_step_two_items_are_ticked_by_hand_with_who_and_when(client_for, school, school_admin):
    from pixdeploy.models import ChecklistTick

    school_admin.first_name, school_admin.last_name = "Anne", "Proviseure"
    school_admin.save()
    client = client_for(school_admin)
    html = client.get(reverse("home")).content.decode()
    step_two = html[html.index('data-step="2"') : html.index('data-step="3"')]
    assert step_two.count("(à faire)") == 3
    url = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "present_team"})
    assert url in step_two
    response = client.post(url, {"done": "1"})
    assert response.status_code == 302
    client.post(url, {"done": "1"})  # twice: still one tick
    assert ChecklistTick.objects.get(school=school, item_key="present_team").ticked_by == school_admin
    html = client.get(reverse("home")).content.decode()
    step_two = html[html.index('data-step="2"') : html.index('data-step="3"')]
    assert step_two.count("(fait)") == 1
    assert "coché par Anne Proviseure le" in step_two
    assert "conseil pédagogique » est coché." in html
    client.post(url, {"done": "0"})
    assert not ChecklistTick.objects.exists()


@pytest.mark.django_db
def test_ticking_by_hand_is_for_the_school_admins(client_for, school, teacher, pupil, other_school_admin):
    from pixdeploy.models import ChecklistTick

    url = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "present_team"})
    assert client_for(None).post(url, {"done": "1"}).status_code == 302
    assert client_for(teacher).post(url, {"done": "1"}).status_code == 403
    assert client_for(pupil).post(url, {"done": "1"}).status_code == 403
    assert client_for(other_school_admin).post(url, {"done": "1"}).status_code == 404
    admin = MembershipFactory(school=school, role="admin").user
    assert client_for(admin).get(url).status_code == 405
    unknown = reverse("checklist_tick", kwargs={"uai": school.uai, "key": "nope"})
    assert client_for(admin).post(unknown, {"done": "1"}).status_code == 404
    assert not ChecklistTick.objects.exists()


@pytest.mark.django_db
def test_teacher_home_query_count_does_not_grow_with_classes_and_campaigns(client_for, school, teacher):
    from .factories import DivisionFactory

    client = client_for(teacher)
    membership = teacher.memberships.get()
    division, _ = _two_campaigns_with_a_class(school, teacher)
    membership.divisions.add(division)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    membership.divisions.add(*DivisionFactory.create_batch(3, school=school))
    _two_campaigns_with_a_class(school, teacher)
    with CaptureQueriesContext(connection) as after:
        html = client.get(reverse("home")).content.decode()
    assert html.count("Rentrée 4e") == 2
    assert len(after) == len(before)


@pytest.mark.django_db
def test_the_year_progress_counts_the_required_items_and_moves_with_a_tick(client_for, school, school_admin):
    from pixdeploy import checklist

    client = client_for(school_admin)
    steps = checklist.checklist_for(school)
    required = [item for step in steps for item in step.items if not item.optional]
    before = checklist.year_progress(steps)
    assert (before.items, before.steps) == (len(required), 6)
    assert before.items_done == sum(item.done for item in required)
    html = " ".join(client.get(reverse("home")).content.decode().split())
    assert f"sur 6, {before.items_done} action" in html and f"sur {before.items} ({before.percent} %)" in html
    assert f'max="{before.items}" value="{before.items_done}"' in html
    client.post(reverse("checklist_tick", kwargs={"uai": school.uai, "key": "present_team"}), {"done": "1"})
    after = checklist.year_progress(checklist.checklist_for(school))
    assert after.items_done == before.items_done + 1 and after.items == before.items


@pytest.mark.django_db
def test_service_status_says_at_once_when_the_broker_is_down(client_for, superuser, settings, monkeypatch):
    import contextlib

    from kombu.exceptions import OperationalError

    from pixdeploy.celery import app

    class DownBroker:
        def ensure_connection(self, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app, "connection_for_write", lambda: contextlib.nullcontext(DownBroker()))
    response = client_for(superuser).get(reverse("service_status"))
    html = response.content.decode()
    assert response.status_code == 200 and "En panne" in html and "serveur de tâches (Redis) injoignable" in html
