from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orga.models import Invitation, Membership
from orga.schools import invitations as service

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_url(school):
    return reverse("orga:members", args=[school.uai])


def role_url(membership):
    return reverse("orga:member_role", args=[membership.school.uai, membership.pk])


def remove_url(membership):
    return reverse("orga:member_remove", args=[membership.school.uai, membership.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def membership_of(user, school):
    return Membership.objects.get(user=user, school=school)


@pytest.fixture
def colleague(school):
    return MembershipFactory(
        school=school, role="member", user=UserFactory(username="collegue", first_name="Ada", last_name="Lovelace")
    )


@pytest.fixture
def invitation(school):
    return Invitation.objects.create(school=school, email="invitee@exemple.fr", role="member")


# Permissions, for every view of a school


VIEWS = ["members", "invite", "invitation_resend", "invitation_cancel", "member_role", "member_remove"]
USERS = ["school_admin", "superuser", "teacher", "pupil", "other_school_admin", "anonymous"]
ALLOWED = {"members": {"school_admin", "superuser", "teacher"}}


def call(client, view, school, colleague, invitation):
    uai = school.uai
    if view == "members":
        return client.get(members_url(school))
    if view == "invite":
        return client.post(reverse("orga:invite", args=[uai]), {"email": "x@exemple.fr", "role": "member"})
    if view in ("invitation_resend", "invitation_cancel"):
        return client.post(reverse(f"orga:{view}", args=[uai, invitation.pk]))
    if view == "member_role":
        return client.post(role_url(colleague), {"role": "admin"})
    return client.post(remove_url(colleague))


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", USERS)
def test_permissions(request, client_for, school, colleague, invitation, view, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = call(client_for(user), view, school, colleague, invitation)
    allowed = ALLOWED.get(view, {"school_admin", "superuser"})
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(f"{reverse('account_login')}?next=")
    elif who in allowed:
        assert response.status_code == (200 if view == "members" else 302)
        if view != "members":
            assert response.url == members_url(school)
    elif who == "other_school_admin":
        assert response.status_code == 404
    else:  # teacher (a member, not an admin) and pupil of this school
        assert response.status_code == 403
    if who not in allowed:
        colleague.refresh_from_db()
        invitation.refresh_from_db()
        assert (colleague.role, colleague.is_active) == ("member", True)
        assert invitation.status == Invitation.Status.PENDING
        assert not Invitation.objects.filter(email="x@exemple.fr").exists()


@pytest.mark.parametrize("view", VIEWS[1:])
def test_actions_are_post_only(client_for, school_admin, school, colleague, invitation, view):
    args = {
        "invite": [school.uai],
        "invitation_resend": [school.uai, invitation.pk],
        "invitation_cancel": [school.uai, invitation.pk],
        "member_role": [school.uai, colleague.pk],
        "member_remove": [school.uai, colleague.pk],
    }[view]
    assert client_for(school_admin).get(reverse(f"orga:{view}", args=args)).status_code == 405


def test_objects_of_another_school_are_404(client_for, school, school_admin, other_school, other_school_admin):
    foreign_invitation = Invitation.objects.create(school=other_school, email="ailleurs@exemple.fr")
    foreign_membership = membership_of(other_school_admin, other_school)
    client = client_for(school_admin)
    uai = school.uai
    for name in ("orga:invitation_resend", "orga:invitation_cancel"):
        assert client.post(reverse(name, args=[uai, foreign_invitation.pk])).status_code == 404
    assert (
        client.post(reverse("orga:member_role", args=[uai, foreign_membership.pk]), {"role": "member"}).status_code
        == 404
    )
    assert client.post(reverse("orga:member_remove", args=[uai, foreign_membership.pk])).status_code == 404
    foreign_invitation.refresh_from_db()
    foreign_membership.refresh_from_db()
    assert foreign_invitation.status == Invitation.Status.PENDING
    assert (foreign_membership.role, foreign_membership.is_active) == ("admin", True)


def test_a_former_member_is_404(client_for, school, school_admin, colleague):
    colleague.is_active = False
    colleague.save()
    client = client_for(school_admin)
    assert client.post(role_url(colleague), {"role": "admin"}).status_code == 404
    assert client.post(remove_url(colleague)).status_code == 404
    assert client_for(colleague.user).get(members_url(school)).status_code == 404


# The list


def test_member_list_for_an_admin(client_for, school, school_admin, teacher, colleague, invitation):
    school_admin.last_login = timezone.now()
    school_admin.save()
    expired = Invitation.objects.create(
        school=school, email="retard@exemple.fr", role="admin", sent_at=timezone.now() - timedelta(days=8)
    )
    Invitation.objects.create(school=school, email="annulee@exemple.fr", status=Invitation.Status.CANCELLED)
    MembershipFactory(school=school, is_active=False, user=UserFactory(username="parti", email="parti@exemple.fr"))

    response = client_for(school_admin).get(members_url(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["memberships"])[0].user == school_admin  # admins first
    for person in (school_admin, teacher, colleague.user):
        assert person.display_name in html
        assert person.email in html
    assert "Administrateur" in html and "Membre" in html
    assert "Jamais connecté" in html
    assert "parti@exemple.fr" not in html
    assert "invitee@exemple.fr" in html and "retard@exemple.fr" in html
    assert "annulee@exemple.fr" not in html
    assert html.count("Expirée") == 1
    assert expired.is_expired
    assert "Envoyer l'invitation" in html
    assert reverse("orga:invitation_resend", args=[school.uai, invitation.pk]) in html
    assert reverse("orga:invitation_cancel", args=[school.uai, invitation.pk]) in html
    assert role_url(colleague) in html and remove_url(colleague) in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_member_list_for_a_member_has_no_actions(client_for, school, teacher, colleague, invitation):
    response = client_for(teacher).get(members_url(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert colleague.user.email in html
    assert "invitee@exemple.fr" in html
    assert "Envoyer l'invitation" not in html
    assert role_url(colleague) not in html
    assert remove_url(colleague) not in html
    assert "Renvoyer" not in html


def test_member_list_query_count_does_not_grow(client_for, school, school_admin):
    client = client_for(school_admin)

    def add_people(count, start):
        for n in range(start, start + count):
            user = UserFactory(username=f"prof{n}", last_login=timezone.now() if n % 2 else None)
            MembershipFactory(school=school, user=user, role="admin" if n % 3 == 0 else "member")
            Invitation.objects.create(school=school, email=f"invite{n}@exemple.fr", invited_by=school_admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(members_url(school)).status_code == 200
        return len(captured)

    add_people(1, 0)  # 2 members with the admin
    client.get(members_url(school))
    with_two = queries()
    add_people(10, 1)  # 12 members
    assert school.memberships.filter(is_active=True).count() == 12
    assert queries() == with_two


# Roles and removal


def test_promote_a_member_then_demote(client_for, school, school_admin, colleague):
    client = client_for(school_admin)
    response = client.post(role_url(colleague), {"role": "admin"}, follow=True)
    assert messages_of(response) == ["Ada Lovelace a maintenant le rôle « Administrateur »."]
    colleague.refresh_from_db()
    assert colleague.role == Membership.Role.ADMIN

    response = client.post(role_url(colleague), {"role": "member"}, follow=True)
    assert messages_of(response) == ["Ada Lovelace a maintenant le rôle « Membre »."]
    colleague.refresh_from_db()
    assert colleague.role == Membership.Role.MEMBER


def test_an_unknown_role_is_refused(client_for, school, school_admin, colleague):
    response = client_for(school_admin).post(role_url(colleague), {"role": "chef"}, follow=True)
    assert messages_of(response) == ["Choisissez le rôle « Administrateur » ou « Membre »."]
    colleague.refresh_from_db()
    assert colleague.role == Membership.Role.MEMBER
    with pytest.raises(service.MembershipError, match="Rôle inconnu"):
        service.change_role(colleague, "chef")


def test_the_last_admin_cannot_be_demoted_nor_removed(client_for, school, school_admin, teacher):
    own = membership_of(school_admin, school)
    client = client_for(school_admin)
    for response in (
        client.post(role_url(own), {"role": "member"}, follow=True),
        client.post(remove_url(own), follow=True),
    ):
        assert messages_of(response) == ["L'établissement doit garder au moins un administrateur."]
    own.refresh_from_db()
    assert (own.role, own.is_active) == ("admin", True)

    with pytest.raises(service.LastAdminError, match="au moins un administrateur"):
        service.change_role(own, "member")
    with pytest.raises(service.LastAdminError):
        service.remove_member(own)


def test_the_superuser_cannot_remove_the_last_admin_either(client_for, school, school_admin, superuser):
    own = membership_of(school_admin, school)
    response = client_for(superuser).post(remove_url(own), follow=True)
    assert messages_of(response) == ["L'établissement doit garder au moins un administrateur."]
    own.refresh_from_db()
    assert own.is_active


def test_an_admin_may_step_down_when_another_admin_remains(client_for, school, school_admin, colleague):
    service.change_role(colleague, "admin")
    own = membership_of(school_admin, school)
    client = client_for(school_admin)
    response = client.post(role_url(own), {"role": "member"}, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.role == Membership.Role.MEMBER
    assert "Envoyer l'invitation" not in response.content.decode()  # no longer an admin
    # Now Ada is the last admin.
    with pytest.raises(service.LastAdminError):
        service.change_role(colleague, "member")


def test_remove_a_member_keeps_the_row(client_for, school, school_admin, colleague):
    response = client_for(school_admin).post(remove_url(colleague), follow=True)
    assert messages_of(response) == ["Ada Lovelace a été retiré(e) de l'établissement."]
    colleague.refresh_from_db()
    assert colleague.is_active is False
    assert Membership.objects.filter(pk=colleague.pk).exists()
    assert colleague.user.email not in response.content.decode()


def test_an_admin_may_leave_when_another_admin_remains(client_for, school, school_admin, colleague):
    service.change_role(colleague, "admin")
    client = client_for(school_admin)
    response = client.post(remove_url(membership_of(school_admin, school)))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert messages_of(client.get("/")) == ["Vous avez quitté l'établissement Collège Jean-Moulin."]
    assert client.get(members_url(school)).status_code == 404


def test_a_removed_member_can_be_invited_back(school, school_admin, colleague):
    service.remove_member(colleague)
    invitation = service.invite(school, colleague.user.email, "member", school_admin)
    assert invitation.status == Invitation.Status.PENDING
