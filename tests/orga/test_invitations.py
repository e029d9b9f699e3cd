import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orga.models import Invitation, Membership
from orga.schools import invitations as service

from ..factories import MembershipFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Une-phrase-de-passe-solide-42"
LINK = re.compile(r"https?://[^/\s]+(/invitation/[^/\s]+/)")


def invite_url(school):
    return reverse("orga:invite", args=[school.uai])


def members_url(school):
    return reverse("orga:members", args=[school.uai])


def accept_url(invitation):
    return reverse("orga:invitation_accept", args=[invitation.token])


def link_in(message):
    return LINK.search(message.body).group(1)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def make_expired(invitation, days=8):
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=days))
    invitation.refresh_from_db()
    return invitation


@pytest.fixture
def pending(school, school_admin):
    invitation = service.invite(school, "nouvelle.prof@exemple.fr", "member", school_admin)
    mail.outbox.clear()
    return invitation


# End to end


def test_invite_then_accept_by_creating_the_account_then_sign_in_by_email(client_for, school, school_admin):
    client = client_for(school_admin)
    response = client.post(invite_url(school), {"email": "  Nouvelle.Prof@Exemple.FR ", "role": "member"})
    assert response.status_code == 302
    assert response.url == members_url(school)
    assert messages_of(client.get(response.url)) == ["Invitation envoyée à nouvelle.prof@exemple.fr"]

    invitation = Invitation.objects.get(school=school)
    assert invitation.email == "nouvelle.prof@exemple.fr"
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.invited_by == school_admin
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.prof@exemple.fr"]
    assert "Collège Jean-Moulin" in message.subject
    assert school_admin.display_name in message.body
    assert "Collège Jean-Moulin (UAI 0693834T)" in message.body
    assert "« Membre »" in message.body
    assert "valable 7 jours" in message.body
    assert "&#x27;" not in message.body  # plain text, not HTML-escaped
    assert f"http://testserver/invitation/{invitation.token}/" in message.body
    link = link_in(message)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Créer mon compte" in html
    assert "nouvelle.prof@exemple.fr" in html
    response = client.post(
        link, {"first_name": "Nina", "last_name": "Durand", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"

    user = get_user_model().objects.get(email="nouvelle.prof@exemple.fr")
    assert user.username == "nouvelle.prof@exemple.fr"
    assert (user.first_name, user.last_name) == ("Nina", "Durand")
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
    membership = Membership.objects.get(school=school, user=user)
    assert membership.role == Membership.Role.MEMBER and membership.is_active
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    assert invitation.answered_at is not None

    home = client.get("/")
    assert home.context["user"] == user
    assert any("Vous avez rejoint l'établissement Collège Jean-Moulin" in m for m in messages_of(home))

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "Nouvelle.Prof@exemple.fr", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == user
    assert client.get(members_url(school)).status_code == 200


def test_invited_admin_becomes_admin(client, school, school_admin):
    invitation = service.invite(school, "adjoint@exemple.fr", "admin", school_admin)
    client.post(
        accept_url(invitation),
        {"first_name": "Paul", "last_name": "Adjoint", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert Membership.objects.get(school=school, user__email="adjoint@exemple.fr").role == Membership.Role.ADMIN
    assert "« Administrateur »" in mail.outbox[0].body


# Sending again, cancelling, validity


def test_inviting_the_same_email_again_resends_the_pending_invitation(client_for, school, school_admin):
    client = client_for(school_admin)
    client.post(invite_url(school), {"email": "prof@exemple.fr", "role": "member"}, follow=True)
    first = make_expired(Invitation.objects.get())
    response = client.post(invite_url(school), {"email": "PROF@exemple.fr", "role": "admin"}, follow=True)

    assert messages_of(response) == ["Invitation renvoyée à prof@exemple.fr"]
    assert Invitation.objects.count() == 1
    again = Invitation.objects.get()
    assert again.token == first.token
    assert again.sent_at > first.sent_at + timedelta(days=7)
    assert not again.is_expired
    assert again.role == Membership.Role.ADMIN
    assert len(mail.outbox) == 2
    assert link_in(mail.outbox[0]) == link_in(mail.outbox[1]) == accept_url(again)


def test_resend_button_restarts_the_validity(client_for, school, school_admin, pending):
    make_expired(pending)
    response = client_for(school_admin).post(
        reverse("orga:invitation_resend", args=[school.uai, pending.pk]), follow=True
    )
    assert messages_of(response) == ["Invitation renvoyée à nouvelle.prof@exemple.fr"]
    pending.refresh_from_db()
    assert not pending.is_expired
    assert timezone.now() - pending.sent_at < timedelta(minutes=1)
    assert len(mail.outbox) == 1
    assert link_in(mail.outbox[0]) == accept_url(pending)


def test_cancelled_invitation_link_shows_the_cancelled_page(client_for, school, school_admin, pending):
    client = client_for(school_admin)
    response = client.post(reverse("orga:invitation_cancel", args=[school.uai, pending.pk]), follow=True)
    assert messages_of(response) == ["L'invitation de nouvelle.prof@exemple.fr a été annulée."]
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.CANCELLED
    assert f'data-invitation="{pending.pk}"' not in response.content.decode()  # no longer listed

    client.logout()
    page = client.get(accept_url(pending))
    assert page.status_code == 200
    assert "Cette invitation a été annulée par l&#x27;établissement." in page.content.decode()
    client.post(
        accept_url(pending), {"first_name": "A", "last_name": "B", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert not get_user_model().objects.filter(email="nouvelle.prof@exemple.fr").exists()


def test_cancelling_or_resending_a_cancelled_invitation_is_refused(client_for, school, school_admin, pending):
    service.cancel(pending)
    client = client_for(school_admin)
    response = client.post(reverse("orga:invitation_resend", args=[school.uai, pending.pk]), follow=True)
    assert messages_of(response) == ["L'invitation de nouvelle.prof@exemple.fr a déjà été annulée."]
    assert mail.outbox == []
    response = client.post(reverse("orga:invitation_cancel", args=[school.uai, pending.pk]), follow=True)
    assert messages_of(response) == ["L'invitation de nouvelle.prof@exemple.fr a déjà été annulée."]


def test_a_new_invitation_can_follow_a_cancelled_one(school, school_admin, pending):
    service.cancel(pending)
    again = service.invite(school, pending.email, "member", school_admin)
    assert again.pk != pending.pk
    assert Invitation.objects.pending().get() == again


def test_expired_invitation_shows_the_expired_page(client_for, school, teacher, pending):
    make_expired(pending)
    client = client_for(None)
    page = client.get(accept_url(pending))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Invitation expirée" in html
    assert "Cette invitation a expiré le " in html
    assert "demandez à l&#x27;administrateur de vous la renvoyer." in html
    client.post(
        accept_url(pending), {"first_name": "A", "last_name": "B", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert not get_user_model().objects.filter(email="nouvelle.prof@exemple.fr").exists()

    outsider = UserFactory(username="dehors")
    client_for(outsider).post(accept_url(pending))
    assert not Membership.objects.filter(user=outsider).exists()
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.PENDING


def test_expired_message_gives_the_date(pending):
    make_expired(pending, days=8)
    expected = service.format_datetime(pending.expires_at)
    assert service.unusable_message(pending) == (
        f"Cette invitation a expiré le {expected} : demandez à l'administrateur de vous la renvoyer."
    )


def test_accepted_invitation_cannot_be_used_twice(client_for, school, pending):
    invited = UserFactory(username="invitee", email="Nouvelle.Prof@exemple.fr")
    service.accept(pending, invited)
    page = client_for(None).get(accept_url(pending))
    assert "Cette invitation a déjà été acceptée." in page.content.decode()
    with pytest.raises(service.InvitationNotUsableError):
        service.accept(pending, UserFactory(username="second"))


def test_unknown_token_is_a_404_page(client):
    response = client.get(reverse("orga:invitation_accept", args=["nimporte-quoi"]))
    assert response.status_code == 404
    assert "Invitation introuvable" in response.content.decode()


# Answering when signed in, or with an existing account


def test_signed_in_user_confirms_then_joins(client_for, school, school_admin):
    person = UserFactory(username="mme.roux", email="mme.roux@exemple.fr")
    invitation = service.invite(school, person.email, "admin", school_admin)
    client = client_for(person)
    page = client.get(accept_url(invitation))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Collège Jean-Moulin" in html and "Administrateur" in html and "Accepter et rejoindre" in html
    assert "Cette invitation a été envoyée à" not in html
    assert not Membership.objects.filter(user=person).exists()

    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response.url == "/"
    assert Membership.objects.get(user=person, school=school).role == Membership.Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert any("Vous avez rejoint" in m for m in messages_of(client.get("/")))


def test_signed_in_with_another_email_is_warned(client_for, school, pending):
    person = UserFactory(username="autre.compte")
    html = client_for(person).get(accept_url(pending)).content.decode()
    assert "Cette invitation a été envoyée à nouvelle.prof@exemple.fr" in html


def test_existing_account_not_signed_in_is_asked_to_sign_in(client, school, school_admin, password):
    person = UserFactory(username="m.blanc", email="m.blanc@exemple.fr")
    invitation = service.invite(school, "M.Blanc@exemple.fr", "member", school_admin)
    page = client.get(accept_url(invitation))
    login_link = f"{reverse('account_login')}?next=%2Finvitation%2F{invitation.token}%2F"
    html = page.content.decode()
    assert "Un compte pixdeploy existe déjà" in html
    assert login_link in html
    assert "password1" not in html
    client.post(
        accept_url(invitation),
        {"first_name": "X", "last_name": "Y", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert get_user_model().objects.filter(email__iexact="m.blanc@exemple.fr").count() == 1

    response = client.post(
        reverse("account_login"), {"login": person.email, "password": password, "next": accept_url(invitation)}
    )
    assert response.status_code == 302
    assert response.url == accept_url(invitation)
    client.post(accept_url(invitation))
    assert Membership.objects.filter(user=person, school=school, is_active=True).exists()


def test_account_form_errors_are_in_french(client, pending):
    response = client.post(
        accept_url(pending), {"first_name": "Nina", "last_name": "Durand", "password1": "abc", "password2": "abd"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Les deux mots de passe ne correspondent pas." in html
    response = client.post(
        accept_url(pending), {"first_name": "", "last_name": "Durand", "password1": "azerty", "password2": "azerty"}
    )
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert "Ce mot de passe est trop court" in html
    assert "Ce mot de passe est trop courant." in html
    assert "fr-input-group--error" in html
    assert not get_user_model().objects.filter(email="nouvelle.prof@exemple.fr").exists()
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.PENDING


def test_a_pupil_account_cannot_join_the_staff(client_for, school, pupil, pending):
    client = client_for(pupil)
    response = client.post(accept_url(pending), follow=True)
    assert "Un compte élève ne peut pas rejoindre l'équipe d'un établissement." in messages_of(response)
    assert not Membership.objects.filter(user=pupil).exists()


# Service rules


def test_inviting_an_active_member_is_refused(client_for, school, school_admin, teacher):
    with pytest.raises(service.AlreadyMemberError, match="est déjà membre de l'établissement."):
        service.invite(school, teacher.email.upper(), "member", school_admin)
    response = client_for(school_admin).post(invite_url(school), {"email": teacher.email, "role": "admin"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{teacher.email} est déjà membre de l&#x27;établissement." in html
    assert "fr-input-group--error" in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_form_errors_are_shown(client_for, school, school_admin):
    response = client_for(school_admin).post(invite_url(school), {"email": "pas-une-adresse", "role": "chef"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in html
    assert "Sélectionnez un choix valide" in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_former_member_can_be_invited_again_and_is_reactivated(school, school_admin):
    former = MembershipFactory(school=school, role="admin", is_active=False, user=UserFactory(username="ancien"))
    invitation = service.invite(school, former.user.email, "member", school_admin)
    service.accept(invitation, former.user)
    former.refresh_from_db()
    assert former.is_active
    assert former.role == Membership.Role.MEMBER
    assert Membership.objects.filter(user=former.user).count() == 1


@pytest.mark.parametrize(
    ("current", "invited", "expected"), [("member", "admin", "admin"), ("admin", "member", "admin")]
)
def test_a_member_keeps_the_higher_role(school, school_admin, current, invited, expected):
    membership = MembershipFactory(school=school, role=current, user=UserFactory(username="deja.la"))
    invitation = Invitation.objects.create(school=school, email=membership.user.email, role=invited)
    service.accept(invitation, membership.user)
    membership.refresh_from_db()
    assert membership.role == expected


def test_without_request_the_link_uses_site_url(settings, school, school_admin):
    settings.SITE_URL = "https://pixdeploy.exemple.fr/"
    invitation = service.invite(school, "a@exemple.fr", "member", school_admin)
    assert f"https://pixdeploy.exemple.fr/invitation/{invitation.token}/" in mail.outbox[0].body


def test_without_site_url_the_link_uses_the_local_server(settings, school, school_admin):
    del settings.SITE_URL
    invitation = service.invite(school, "a@exemple.fr", "member", school_admin)
    assert f"http://127.0.0.1:8000/invitation/{invitation.token}/" in mail.outbox[0].body


def test_the_email_gives_the_expiry_date(school, school_admin):
    invitation = service.invite(school, "a@exemple.fr", "member", school_admin)
    assert f"jusqu'au {service.format_datetime(invitation.expires_at)}" in mail.outbox[0].body


def test_a_pupil_account_is_refused_by_the_service(school, school_admin):
    pupil = PupilFactory(school=school, user=UserFactory(username="eleve", email="eleve@exemple.fr")).user
    invitation = service.invite(school, "eleve@exemple.fr", "member", school_admin)
    with pytest.raises(service.MembershipError):
        service.accept(invitation, pupil)


# Accepting with another account than the invited address's: a school admin confirms


def awaiting_url(invitation, action):
    return reverse(f"orga:invitation_{action}", args=[invitation.school.uai, invitation.pk])


@pytest.fixture
def accepted_by_another(client_for, pending):
    """Someone signed in as « autre.compte » (another e-mail) accepted the invitation of nouvelle.prof@."""
    person = UserFactory(username="autre.compte", email="perso@exemple.fr")
    client = client_for(person)
    response = client.post(accept_url(pending))
    assert response.status_code == 302 and response.url == "/"
    shown = messages_of(client.get("/"))
    assert any("un administrateur de l'établissement Collège Jean-Moulin doit confirmer" in m for m in shown)
    pending.refresh_from_db()
    return person


def test_another_account_does_not_join_before_an_admin_confirms(client_for, school, pending, accepted_by_another):
    assert not Membership.objects.filter(user=accepted_by_another).exists()
    assert (pending.status, pending.accepted_by) == (Invitation.Status.AWAITING, accepted_by_another)
    assert client_for(accepted_by_another).get(members_url(school)).status_code == 404
    page = client_for(None).get(accept_url(pending)).content.decode().replace("&#x27;", "'")
    assert "un administrateur de l'établissement doit confirmer cette arrivée" in page
    with pytest.raises(service.InvitationNotUsableError):
        service.accept(pending, UserFactory(username="troisieme", email="nouvelle.prof@exemple.fr"))


def test_the_invited_address_joins_without_confirmation(client_for, school, pending):
    person = UserFactory(username="np", email="NOUVELLE.PROF@exemple.fr")
    client_for(person).post(accept_url(pending))
    assert Membership.objects.filter(user=person, school=school, is_active=True).exists()
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.ACCEPTED


def test_an_account_without_email_needs_confirmation(school, pending):
    assert service.accept(pending, UserFactory(username="sans.adresse", email="")) is None
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.AWAITING


def test_an_admin_confirms_the_arrival(client_for, school, school_admin, pending, accepted_by_another):
    client = client_for(school_admin)
    page = client.get(members_url(school)).content.decode()
    assert "Arrivées à confirmer" in page and "perso@exemple.fr" in page
    response = client.post(awaiting_url(pending, "confirm"))
    assert response.status_code == 302
    assert Membership.objects.get(user=accepted_by_another, school=school).role == Membership.Role.MEMBER
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.ACCEPTED
    assert any("a rejoint l'établissement" in m for m in messages_of(client.get(members_url(school))))
    again = client.post(awaiting_url(pending, "confirm"))
    assert again.status_code == 302
    assert any("a déjà été acceptée" in m for m in messages_of(client.get(members_url(school))))


def test_an_admin_refuses_the_arrival(client_for, school, school_admin, pending, accepted_by_another):
    client = client_for(school_admin)
    assert client.post(awaiting_url(pending, "refuse")).status_code == 302
    assert not Membership.objects.filter(user=accepted_by_another).exists()
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.REFUSED
    html = client_for(accepted_by_another).get(accept_url(pending)).content.decode().replace("&#x27;", "'")
    assert "a refusé que cette invitation soit acceptée avec un autre compte" in html


@pytest.mark.parametrize("action", ["confirm", "refuse"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("teacher", 403), ("pupil", 403), ("other_school_admin", 404), ("anonymous", 302), ("superuser", 302)],
)
def test_only_the_schools_admins_answer_an_arrival(
    client_for, request, school, pending, accepted_by_another, action, who, status
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).post(awaiting_url(pending, action))
    assert response.status_code == status
    pending.refresh_from_db()
    if who == "superuser":
        assert pending.status != Invitation.Status.AWAITING
    else:
        assert pending.status == Invitation.Status.AWAITING
        assert not Membership.objects.filter(user=accepted_by_another).exists()
    if who == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_a_pending_invitation_cannot_be_confirmed(client_for, school, school_admin, pending):
    client_for(school_admin).post(awaiting_url(pending, "confirm"))
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.PENDING


def test_the_admins_are_told_by_email(client_for, school, school_admin, pending, django_capture_on_commit_callbacks):
    MembershipFactory(school=school, role="member", user=UserFactory(username="simple.membre"))
    person = UserFactory(username="autre.compte", email="perso@exemple.fr", first_name="Jean\n", last_name="Bcc: x")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(person).post(accept_url(pending))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school_admin.email]
    assert message.subject == "[pixdeploy] Une arrivée à confirmer dans Collège Jean-Moulin (0693834T)"
    assert "nouvelle.prof@exemple.fr" in message.body and "perso@exemple.fr" in message.body
    assert f"http://testserver{members_url(school)}#a-confirmer" in message.body


def test_a_mail_server_failure_does_not_undo_the_acceptance(
    client_for, school, school_admin, pending, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP en panne")

    monkeypatch.setattr(service, "send_mail", broken)
    person = UserFactory(username="autre.compte", email="perso@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(person).post(accept_url(pending))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.AWAITING
