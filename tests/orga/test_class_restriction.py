"""A school may restrict each teacher to the classes an admin assigned them (off by default, as in Pix Orga)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orga.campaigns.services import create_campaign
from orga.models import Membership, Participation, Report
from orga.results.exports import process_report
from orga.results.frames import participations_visible_to
from orga.schools.permissions import CLASS_NOT_ASSIGNED
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

CODES = ["1.1", "1.2"]


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def class_named(name, fixture_name):
    @pytest.fixture(name=fixture_name)
    def division(school):
        return DivisionFactory(school=school, name=name)

    return division


division_a, division_b = class_named("3e A", "division_a"), class_named("3e B", "division_b")


@pytest.fixture
def campaign(school, teacher, division_a, division_b):
    """A campaign the teacher owns, with a participant in each class."""
    campaign = create_campaign(
        school=school, owner=teacher, name="Rentrée 3e", type="assessment", competence_codes=CODES
    )
    for division in (division_a, division_b):
        pupil = PupilFactory(school=school, division=division, last_name=f"ELEVE {division.name}")
        Participation.objects.create(campaign=campaign, pupil=pupil, status=Participation.Status.STARTED)
    return campaign


def membership_of(user, school):
    return Membership.objects.select_related("school").get(user=user, school=school)


def restrict(school):
    school.teachers_restricted_to_assigned_classes = True
    school.save(update_fields=["teachers_restricted_to_assigned_classes"])


@pytest.fixture
def assigned_a(school, teacher, division_a, division_b):
    """Restricted school; the teacher chose 3e B themselves, an admin assigned them 3e A."""
    membership = membership_of(teacher, school)
    membership.divisions.set([division_b])
    membership.assigned_divisions.set([division_a])
    restrict(school)
    return teacher


def class_pages(school, campaign, division):
    """Every class-level page and download: (method, url, data)."""
    return [
        ("get", url("class_progress", school, division_id=division.id), None),
        ("get", url("class_reminder", school, division_id=division.id), None),
        ("post", url("class_objective", school, division_id=division.id), {"competences_target": 3, "level_target": 1}),
        ("get", url("campaign_letter", school, campaign_id=campaign.id, division_id=division.id), None),
        ("get", url("campaign_results", school, campaign_id=campaign.id) + f"?classe={division.name}", None),
        ("post", url("report_create", school), {"campaign": campaign.id, "kind": "class_pdf", "division": division.id}),
    ]


def call(client, method, address, data):
    return client.post(address, data) if method == "post" else client.get(address)


# --- By default: every teacher chooses any class -----------------------------------------------------------


def test_by_default_a_teacher_chooses_any_class_and_opens_its_pages(client_for, school, teacher, campaign, division_b):
    client = client_for(teacher)
    assert client.get(url("choose_classes", school)).status_code == 200
    assert client.post(url("choose_classes", school), {"divisions": [division_b.id]}).status_code == 302
    for method, address, data in class_pages(school, campaign, division_b):
        assert call(client, method, address, data).status_code in (200, 302), address
    owned = participations_visible_to(campaign, teacher, membership_of(teacher, school))
    assert owned.count() == 2  # the owner of a campaign sees every participant


# --- Restricted: only the classes an admin assigned -----------------------------------------------------


def test_a_restricted_teacher_cannot_choose_classes(client_for, school, assigned_a):
    client = client_for(assigned_a)
    response = client.get(url("choose_classes", school))
    assert response.status_code == 403
    assert "les administrateurs qui attribuent les classes" in response.content.decode()
    assert client.post(url("choose_classes", school), {"divisions": []}).status_code == 403
    page = client.get(url("my_classes", school)).content.decode()
    assert url("choose_classes", school) not in page
    assert "3e A" in page and "3e B" not in page  # the assigned class, not the one chosen before


def test_a_restricted_teacher_opens_only_the_assigned_class(client_for, school, assigned_a, campaign, division_a):
    client = client_for(assigned_a)
    for method, address, data in class_pages(school, campaign, division_a):
        assert call(client, method, address, data).status_code in (200, 302), address


def test_every_class_page_refuses_a_class_not_assigned(client_for, school, assigned_a, campaign, division_b):
    client = client_for(assigned_a)
    for method, address, data in class_pages(school, campaign, division_b):
        response = call(client, method, address, data)
        assert response.status_code == 403, address
        assert "ne vous a pas été attribuée" in response.content.decode().replace("&#x27;", "'"), address
    assert not Report.objects.exists()


def test_admins_open_every_class_when_restricted(client_for, school, school_admin, campaign, division_b):
    restrict(school)
    client = client_for(school_admin)
    for method, address, data in class_pages(school, campaign, division_b):
        assert call(client, method, address, data).status_code in (200, 302), address


def test_other_school_staff_get_404_on_class_pages(client_for, school, campaign, division_a, other_school_admin):
    restrict(school)
    client = client_for(other_school_admin)
    for method, address, data in class_pages(school, campaign, division_a):
        assert call(client, method, address, data).status_code == 404, address


def test_an_owner_sees_only_the_participants_of_assigned_classes(school, assigned_a, campaign, division_a):
    visible = participations_visible_to(campaign, assigned_a, membership_of(assigned_a, school))
    assert [p.pupil.division_id for p in visible] == [division_a.id]


def test_a_class_export_of_a_class_no_longer_assigned_is_neither_built_nor_downloaded(
    client_for, school, assigned_a, campaign, division_a, division_b
):
    report = Report.objects.create(
        school=school, campaign=campaign, requested_by=assigned_a, kind=Report.Kind.RESULTS_CSV, division=division_b
    )
    assert process_report(report.id) == Report.Status.FAILED
    report.refresh_from_db()
    assert report.error == CLASS_NOT_ASSIGNED
    report.status, report.file = Report.Status.DONE, "exports/ancien.csv"
    report.save()
    response = client_for(assigned_a).get(url("report_download", school, report_id=report.id))
    assert response.status_code == 403


# --- The setting and the assignment, by admins ------------------------------------------------------------


USERS = ["school_admin", "superuser", "teacher", "pupil", "other_school_admin", "anonymous"]


@pytest.mark.parametrize("who", USERS)
def test_only_the_schools_admins_change_the_setting(client_for, request, school, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).post(url("school_settings", school), {"teachers_restricted_to_assigned_classes": "on"})
    expected = {"school_admin": 302, "superuser": 302, "teacher": 403, "pupil": 403, "other_school_admin": 404}
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected[who]
    school.refresh_from_db()
    assert school.teachers_restricted_to_assigned_classes is (expected.get(who) == 302)


def test_the_members_page_shows_the_setting_to_admins_only(client_for, school, school_admin, teacher):
    assert "Paramètres de l'établissement" in client_for(school_admin).get(url("members", school)).content.decode()
    page = client_for(teacher).get(url("members", school)).content.decode()
    assert "Paramètres de l'établissement" not in page and "Attribuer des classes" not in page


@pytest.mark.parametrize("who", USERS)
def test_only_the_schools_admins_assign_classes(client_for, request, school, teacher, division_a, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    membership = membership_of(teacher, school)
    address = url("member_classes", school, membership_id=membership.id)
    client = client_for(user)
    expected = {"school_admin": 200, "superuser": 200, "teacher": 403, "pupil": 403, "other_school_admin": 404}
    get = client.get(address)
    response = client.post(address, {"assigned_divisions": [division_a.id]})
    if who == "anonymous":
        assert get.url.startswith(reverse("account_login")) and response.url.startswith(reverse("account_login"))
        assert not membership.assigned_divisions.exists()
        return
    assert get.status_code == expected[who]
    assert response.status_code == (302 if expected[who] == 200 else expected[who])
    assigned = list(membership.assigned_divisions.values_list("id", flat=True))
    assert assigned == ([division_a.id] if expected[who] == 200 else [])


def test_an_admin_cannot_assign_another_schools_class(client_for, school, school_admin, teacher, other_school):
    foreign = DivisionFactory(school=other_school, name="6e Z")
    membership = membership_of(teacher, school)
    response = client_for(school_admin).post(
        url("member_classes", school, membership_id=membership.id), {"assigned_divisions": [foreign.id]}
    )
    assert response.status_code == 400
    assert "Choisissez parmi les classes de l'établissement." in response.content.decode().replace("&#x27;", "'")
    assert not membership.assigned_divisions.exists()


def test_the_members_list_has_a_fixed_number_of_queries(client_for, school, school_admin, division_a, division_b):
    client = client_for(school_admin)
    client.get(url("members", school))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("members", school)).status_code == 200
        return len(queries)

    before = count()
    for index in range(4):
        membership = MembershipFactory(school=school, role="member", user=UserFactory(username=f"prof{index}"))
        membership.assigned_divisions.set([division_a, division_b])
    assert count() == before


def test_a_restricted_teacher_sees_only_the_pupils_of_assigned_classes(
    client_for, school, assigned_a, campaign, division_a, division_b
):
    client = client_for(assigned_a)
    listing = client.get(url("pupils", school)).content.decode()
    assert "ELEVE 3e A" in listing and "ELEVE 3e B" not in listing
    assert client.get(url("pupils", school) + f"?classe={division_b.id}").status_code == 403
    assert client.get(url("pupils", school) + f"?classe={division_a.id}").status_code == 200
    pupil_a, pupil_b = (campaign.participations.get(pupil__division=d).pupil for d in (division_a, division_b))
    assert client.get(url("pupil_detail", school, pupil_id=pupil_a.id)).status_code == 200
    refused = client.get(url("pupil_detail", school, pupil_id=pupil_b.id))
    assert refused.status_code == 403
    assert "ne vous a pas été attribuée" in refused.content.decode().replace("&#x27;", "'")
    detail = client.get(url("campaign_detail", school, campaign_id=campaign.id)).content.decode()
    assert url("campaign_letter", school, campaign_id=campaign.id, division_id=division_a.id) in detail
    assert url("campaign_letter", school, campaign_id=campaign.id, division_id=division_b.id) not in detail


def test_by_default_a_teacher_sees_every_pupil_and_letter(client_for, school, teacher, campaign, division_b):
    client = client_for(teacher)
    assert "ELEVE 3e B" in client.get(url("pupils", school)).content.decode()
    detail = client.get(url("campaign_detail", school, campaign_id=campaign.id)).content.decode()
    assert url("campaign_letter", school, campaign_id=campaign.id, division_id=division_b.id) in detail


def test_the_export_form_offers_only_the_assigned_classes(client_for, school, assigned_a, campaign, division_b):
    page = client_for(assigned_a).get(url("reports", school)).content.decode()
    assert f'value="{campaign.id}"' in page
    assert "3e A" in page and "3e B" not in page
