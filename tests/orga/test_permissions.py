"""Who sees what, the rules themselves (orga/schools/permissions.py) and the QuerySets named for them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orga.campaigns.services import create_campaign
from orga.models import Campaign, Division, Membership, Resource, School
from orga.schools import permissions
from tests.factories import DivisionFactory, UserFactory

USERS = ["superuser", "school_admin", "teacher", "pupil", "other_school_admin"]


@pytest.fixture
def users(request, school, other_school):
    return {name: request.getfixturevalue(name) for name in USERS}


def membership_of(user, school):
    return Membership.objects.filter(user=user, school=school, is_active=True).first()


@pytest.mark.django_db
def test_a_superuser_or_the_school_admin_sees_the_whole_school(users, school):
    seen = {name: permissions.sees_whole_school(user, membership_of(user, school)) for name, user in users.items()}
    assert seen == {
        "superuser": True,
        "school_admin": True,
        "teacher": False,
        "pupil": False,
        "other_school_admin": False,  # an admin, but of another school
    }


@pytest.mark.django_db
def test_staff_and_superusers_enter_the_school(users, school):
    entering = {name for name, user in users.items() if permissions.enters_school(user, membership_of(user, school))}
    assert entering == {"superuser", "school_admin", "teacher"}


@pytest.mark.django_db
def test_schools_visible_to_each_role(users, school, other_school):
    assert set(School.objects.visible_to(users["superuser"])) == {school, other_school}
    assert list(School.objects.visible_to(users["school_admin"])) == [school]
    assert list(School.objects.visible_to(users["teacher"])) == [school]
    assert list(School.objects.visible_to(users["pupil"])) == []
    assert list(School.objects.visible_to(users["other_school_admin"])) == [other_school]
    assert list(School.objects.visible_to(AnonymousUser())) == []


@pytest.mark.django_db
def test_a_former_member_sees_the_school_no_more(school, teacher):
    Membership.objects.filter(user=teacher).update(is_active=False)
    assert list(School.objects.visible_to(teacher)) == []


@pytest.mark.django_db
def test_campaigns_and_resources_follow_the_schools(users, school, other_school):
    ours = create_campaign(
        school=school, owner=users["school_admin"], name="Rentrée", type="assessment", competence_codes=["1.1"]
    )
    theirs = create_campaign(
        school=other_school,
        owner=users["other_school_admin"],
        name="Rentrée",
        type="assessment",
        competence_codes=["1.1"],
    )
    our_resource = Resource.objects.create(school=school, title="Fiche", url="https://exemple.fr")
    expected = {
        "superuser": {ours, theirs},
        "school_admin": {ours},
        "teacher": {ours},
        "pupil": set(),
        "other_school_admin": {theirs},
    }
    for name, user in users.items():
        assert set(Campaign.objects.visible_to(user)) == expected[name], name
        assert (our_resource in Resource.objects.visible_to(user)) == (ours in expected[name]), name


@pytest.mark.django_db
def test_the_author_or_whoever_sees_the_whole_school_manages(users, school, teacher):
    author = users["teacher"]
    for name, user in users.items():
        manages = permissions.manages(user, membership_of(user, school), author_id=author.id)
        assert manages == (name in ("superuser", "school_admin", "teacher")), name
    colleague = UserFactory(username="collegue")
    Membership.objects.create(school=school, user=colleague, role="member")
    assert not permissions.manages(colleague, membership_of(colleague, school), author_id=author.id)


@pytest.mark.django_db
def test_classes_followed_by_each_role(users, school, teacher):
    a, b = DivisionFactory(school=school, name="3e A"), DivisionFactory(school=school, name="3e B")
    membership_of(teacher, school).divisions.set([a])
    followed = {
        name: set(Division.objects.filter(school=school).followed_by(user, membership_of(user, school)))
        for name, user in users.items()
    }
    every = set(Division.objects.filter(school=school))  # the pupil's class too
    assert {a, b} < every
    assert followed == {
        "superuser": every,
        "school_admin": every,
        "teacher": {a},
        "pupil": set(),
        "other_school_admin": set(),
    }
    assert permissions.follows_class(teacher, membership_of(teacher, school), a.id)
    assert not permissions.follows_class(teacher, membership_of(teacher, school), b.id)


@pytest.mark.django_db
def test_whoever_sees_the_whole_school_follows_every_class_without_a_query(school, school_admin, superuser):
    division = DivisionFactory(school=school)
    membership = membership_of(school_admin, school)
    with CaptureQueriesContext(connection) as queries:
        assert permissions.follows_class(school_admin, membership, division.id)
        assert permissions.follows_class(superuser, None, division.id)
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_academie_view_is_a_superusers_or_a_referents(users):
    assert [name for name, user in users.items() if permissions.sees_academie_view(user, [])] == ["superuser"]
    assert permissions.sees_academie_view(users["teacher"], ["Lyon"])
    assert not permissions.sees_academie_view(AnonymousUser(), ["Lyon"])


@pytest.mark.django_db
def test_a_referent_sees_the_schools_of_their_academies_only(users, school, other_school):
    School.objects.filter(id=other_school.id).update(academie="Paris")
    known = ["Lyon", "Paris", "", "Lyon"]
    assert permissions.academie_scopes(users["superuser"], [], known) == ["", "Lyon", "Paris"]
    assert permissions.academie_scopes(users["teacher"], ["Paris"], known) == ["Paris"]
    assert permissions.academie_scopes(AnonymousUser(), ["Paris"], known) == []

    def seen(user, academies):
        return set(School.objects.filter(permissions.academie_rows(user, academies)).values_list("id", flat=True))

    assert seen(users["superuser"], []) == {school.id, other_school.id}
    assert seen(users["teacher"], ["Paris"]) == {other_school.id}
    with CaptureQueriesContext(connection) as queries:
        assert seen(users["school_admin"], []) == set() and seen(AnonymousUser(), ["Lyon"]) == set()
    assert len(queries) == 0  # nothing to look for
