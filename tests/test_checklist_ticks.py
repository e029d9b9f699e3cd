"""Steps 1, 3 and 4 of the principal's checklist: each item ticked from the school's data of the school year, with
its evidence. (Steps 5 and 6: test_checklist_certification.py; the windows: test_checklist_windows.py.)"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orga.campaigns.services import create_campaign
from orga.models import Participation, Report

from .checklist_helpers import checklist_items
from .factories import DivisionFactory, MembershipFactory, PupilFactory, SiecleImportFactory, UserFactory

LAST_YEAR = timezone.make_aware(datetime.datetime(2026, 5, 20, 10, 0))


pytestmark = pytest.mark.usefixtures("on_4_december_2026")

_items = checklist_items


SIGNED_IN = "Accéder à l'espace de l'établissement"
IMPORTED = "Importer la liste des élèves"
CO_ADMIN = "Inviter un co-administrateur"
CODES = "Récupérer les codes campagne et choisir les modalités (à distance et/ou en classe)"
SPREAD = "Diffuser le code aux élèves et informer les responsables légaux"
PROGRESS = "Vérifier l'avancée des élèves"
TEACHERS = "Inviter les enseignants"
ANALYSE = "Analyser les résultats avec l'équipe pédagogique"


def _campaign(school, owner, name="Rentrée 4e"):
    return create_campaign(school=school, owner=owner, name=name, type="assessment", competence_codes=["1.1"])


@pytest.mark.django_db
def test_an_admin_who_signed_in_ticks_the_access(school, school_admin):
    assert not _items(school)[SIGNED_IN].done
    school_admin.last_login = timezone.now()
    school_admin.save()
    assert _items(school)[SIGNED_IN].done


@pytest.mark.django_db
def test_the_list_of_this_school_year_ticks_the_import_with_its_date_and_size(school):
    PupilFactory.create_batch(2, school=school)
    item = _items(school)[IMPORTED]
    assert not item.done
    assert item.detail == "2 élèves d'une liste d'une année précédente : importez celle de cette année"

    last_year = SiecleImportFactory(school=school, pupils=580)
    SiecleImportFactory._meta.model.objects.filter(id=last_year.id).update(created_at=LAST_YEAR, finished_at=LAST_YEAR)
    assert not _items(school)[IMPORTED].done

    SiecleImportFactory(school=school, status="failed")  # a refused file ticks nothing
    assert not _items(school)[IMPORTED].done

    imported = SiecleImportFactory(school=school, report={"created": 12, "updated": 590, "unchanged": 10})
    item = _items(school)[IMPORTED]
    assert item.done
    assert item.detail == f"Liste importée le {timezone.localtime(imported.finished_at):%d/%m/%Y} : 612 élèves"
    assert item.url == f"/etablissements/{school.uai}/imports/"


@pytest.mark.django_db
def test_a_second_active_admin_ticks_the_optional_co_admin(school, school_admin):
    MembershipFactory(school=school, role="admin", is_active=False)
    item = _items(school)[CO_ADMIN]
    assert item.optional and not item.done
    MembershipFactory(school=school, role="admin")
    assert _items(school)[CO_ADMIN].done


@pytest.mark.django_db
def test_campaigns_of_this_year_tick_the_codes(school, school_admin, other_school):
    _campaign(other_school, school_admin)
    old = _campaign(school, school_admin, name="Rentrée de l'an dernier")
    type(old).objects.filter(id=old.id).update(created_at=LAST_YEAR)
    assert not _items(school)[CODES].done
    _campaign(school, school_admin)
    _campaign(school, school_admin, name="Rentrée 3e")
    item = _items(school)[CODES]
    assert item.done and item.detail == "2 campagnes"


@pytest.mark.django_db
def test_pupils_who_started_tick_the_spreading_with_their_share_of_the_school(school, school_admin):
    pupils = PupilFactory.create_batch(4, school=school)
    first, second = _campaign(school, school_admin), _campaign(school, school_admin, name="Rentrée 3e")
    assert not _items(school)[SPREAD].done
    Participation.objects.create(campaign=first, pupil=pupils[0])
    Participation.objects.create(campaign=second, pupil=pupils[0])  # one pupil, counted once
    Participation.objects.create(campaign=second, pupil=pupils[1], status="shared")
    item = _items(school)[SPREAD]
    assert item.done and item.detail == "2 élèves ont commencé (50 % des élèves)"


@pytest.mark.django_db
def test_followed_classes_tick_the_progress_check_with_the_share_of_results_received(school, school_admin, teacher):
    pupils = PupilFactory.create_batch(4, school=school)
    campaign = _campaign(school, school_admin)
    for pupil, status in zip(pupils, ["shared", "shared", "shared", "started"], strict=True):
        Participation.objects.create(campaign=campaign, pupil=pupil, status=status)
    item = _items(school)[PROGRESS]
    assert not item.done
    assert item.detail == "1 campagne, 75 % des élèves ont envoyé leurs résultats"

    teacher.memberships.get().divisions.add(DivisionFactory(school=school, name="4e B"))
    item = _items(school)[PROGRESS]
    assert item.done
    assert item.detail == "1 campagne, 75 % des élèves ont envoyé leurs résultats, 1 classe suivie"


@pytest.mark.django_db
def test_invited_teachers_tick_the_invitation(school, school_admin):
    MembershipFactory(school=school, role="member", is_active=False)
    assert not _items(school)[TEACHERS].done
    MembershipFactory.create_batch(3, school=school, role="member")
    item = _items(school)[TEACHERS]
    assert item.done and item.detail == "3 enseignants"


@pytest.mark.django_db
def test_results_received_and_an_export_of_this_year_tick_the_analysis(school, school_admin):
    campaign = _campaign(school, school_admin)
    Participation.objects.create(campaign=campaign, pupil=PupilFactory(school=school), status="shared")
    old = Report.objects.create(school=school, campaign=campaign, requested_by=school_admin, kind="results_xlsx")
    Report.objects.filter(id=old.id).update(created_at=LAST_YEAR)
    assert not _items(school)[ANALYSE].done
    Report.objects.create(school=school, campaign=campaign, requested_by=school_admin, kind="results_xlsx")
    item = _items(school)[ANALYSE]
    assert item.done and item.detail == "résultats reçus de 1 élève, 1 export"


@pytest.mark.django_db
def test_last_years_results_do_not_tick_this_years_steps(school, school_admin):
    pupil = PupilFactory(school=school)
    campaign = _campaign(school, school_admin)
    Participation.objects.create(campaign=campaign, pupil=pupil, status="shared")
    Report.objects.create(school=school, campaign=campaign, requested_by=school_admin, kind="results_xlsx")
    type(campaign).objects.filter(id=campaign.id).update(created_at=LAST_YEAR)
    Report.objects.update(created_at=LAST_YEAR)
    items = _items(school)
    assert not items[CODES].done and not items[SPREAD].done and not items[ANALYSE].done


@pytest.mark.django_db
def test_a_hand_tick_counts_for_its_school_year_only(client_for, school, school_admin):
    from pixdeploy.models import ChecklistTick

    ChecklistTick.objects.create(school=school, school_year="2025-2026", item_key="present_team")
    item = _items(school)["Présenter Pix et le cadre de référence des compétences numériques en conseil pédagogique"]
    assert not item.done
    ChecklistTick.objects.create(
        school=school, school_year="2026-2027", item_key="present_team", ticked_by=UserFactory(first_name="Anne")
    )
    item = _items(school)["Présenter Pix et le cadre de référence des compétences numériques en conseil pédagogique"]
    assert item.done and item.ticked_by.startswith("Anne")


@pytest.mark.django_db
def test_the_years_progress_counts_in_french(client_for, school, school_admin):
    html = client_for(school_admin).get(reverse("home")).content.decode()
    progress = html[html.index('id="avancement"') :]
    progress = progress[: progress.index("</p>")]
    assert "0 étape faite sur 6" in progress  # French puts 0 in the singular
