"""Which account an ENT identity designates; a school admin links a pupil's account to one, or unlinks it."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orga.pupils.ent import account_for
from tests.factories import DivisionFactory, PupilFactory, UserFactory

PROVIDERS = [
    {
        "provider_id": "educonnect",
        "name": "ÉduConnect",
        "client_id": "pixdeploy",
        "secret": "s",
        "settings": {"server_url": "https://educonnect.example"},
    }
]


@pytest.fixture
def educonnect(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": PROVIDERS}
    }


@pytest.fixture
def ent_pupil(school):
    return PupilFactory(
        school=school, division=DivisionFactory(school=school), user=UserFactory(username="lea", email="")
    )


def page_url(school, pupil):
    return reverse("orga:pupil_detail", kwargs={"uai": school.uai, "pupil_id": pupil.id})


def link_url(school, pupil):
    return reverse("orga:pupil_ent_link", kwargs={"uai": school.uai, "pupil_id": pupil.id})


def test_the_admin_links_and_unlinks_a_pupil_s_ent_identity(client_for, school, school_admin, ent_pupil, educonnect):
    client = client_for(school_admin)
    assert "Pas encore relié" in client.get(page_url(school, ent_pupil)).content.decode()
    response = client.post(link_url(school, ent_pupil), {"provider": "educonnect", "identifier": " f1e2d3c4 "})
    assert response["Location"] == page_url(school, ent_pupil)
    link = SocialAccount.objects.get(user=ent_pupil.user)
    assert (link.provider, link.uid) == ("educonnect", "f1e2d3c4")
    page = client.get(page_url(school, ent_pupil)).content.decode()
    assert "relié à son compte ENT" in page and "Relié au compte educonnect « f1e2d3c4 »" in page
    client.post(link_url(school, ent_pupil), {"provider": "educonnect", "identifier": "f1e2d3c4"})  # twice: one link
    assert SocialAccount.objects.count() == 1
    unlink = reverse("orga:pupil_ent_unlink", kwargs={"uai": school.uai, "pupil_id": ent_pupil.id, "link_id": link.id})
    client.post(unlink)
    assert not SocialAccount.objects.exists()


def test_an_identity_linked_to_another_account_is_refused(client_for, school, school_admin, ent_pupil, educonnect):
    SocialAccount.objects.create(user=UserFactory(), provider="educonnect", uid="f1e2d3c4")
    client = client_for(school_admin)
    response = client.post(
        link_url(school, ent_pupil), {"provider": "educonnect", "identifier": "f1e2d3c4"}, follow=True
    )
    assert "déjà relié à un autre compte pixdeploy" in response.content.decode()
    assert not SocialAccount.objects.filter(user=ent_pupil.user).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"provider": "educonnect", "identifier": "x" * 192}, "L&#x27;identifiant ENT compte au plus 191 caractères"),
        ({"provider": "educonnect", "identifier": ""}, "Saisissez l&#x27;identifiant ENT"),
        ({"provider": "autre", "identifier": "x"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_refused_with_a_french_message(
    client_for, school, school_admin, ent_pupil, educonnect, data, message
):
    response = client_for(school_admin).post(link_url(school, ent_pupil), data, follow=True)
    assert message in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_pupil_without_account_cannot_be_linked(client_for, school, school_admin, educonnect):
    pupil = PupilFactory(school=school, user=None)
    response = client_for(school_admin).post(
        link_url(school, pupil), {"provider": "educonnect", "identifier": "x"}, follow=True
    )
    assert "pas encore de compte" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_unlinking_touches_only_this_pupil_s_links(client_for, school, school_admin, ent_pupil, educonnect):
    other = SocialAccount.objects.create(user=UserFactory(), provider="educonnect", uid="autre")
    unlink = reverse("orga:pupil_ent_unlink", kwargs={"uai": school.uai, "pupil_id": ent_pupil.id, "link_id": other.id})
    client_for(school_admin).post(unlink)
    assert SocialAccount.objects.filter(pk=other.pk).exists()


def test_no_ent_section_without_a_provider(client_for, school, school_admin, ent_pupil):
    assert "Connexion par l&#x27;ENT" not in client_for(school_admin).get(page_url(school, ent_pupil)).content.decode()


def test_teachers_do_not_see_the_ent_section(client_for, school, teacher, ent_pupil, educonnect):
    assert "Connexion par l&#x27;ENT" not in client_for(teacher).get(page_url(school, ent_pupil)).content.decode()


@pytest.mark.parametrize(
    "who, status", [("school_admin", 302), ("teacher", 403), ("pupil", 403), ("other_school_admin", 404)]
)
def test_linking_permissions(client_for, request, school, ent_pupil, educonnect, who, status):
    response = client_for(request.getfixturevalue(who)).post(
        link_url(school, ent_pupil), {"provider": "educonnect", "identifier": "f1e2d3c4"}
    )
    assert response.status_code == status
    assert SocialAccount.objects.exists() == (status == 302)


@pytest.mark.parametrize(
    "who, status", [("school_admin", 302), ("teacher", 403), ("pupil", 403), ("other_school_admin", 404)]
)
def test_unlinking_permissions(client_for, request, school, ent_pupil, educonnect, who, status):
    link = SocialAccount.objects.create(user=ent_pupil.user, provider="educonnect", uid="f1e2d3c4")
    url = reverse("orga:pupil_ent_unlink", kwargs={"uai": school.uai, "pupil_id": ent_pupil.id, "link_id": link.id})
    assert client_for(request.getfixturevalue(who)).post(url).status_code == status
    assert SocialAccount.objects.exists() == (status != 302)


def test_the_admin_s_pupil_page_query_count_does_not_grow_with_links(
    client_for, school, school_admin, ent_pupil, educonnect
):
    client = client_for(school_admin)
    SocialAccount.objects.create(user=ent_pupil.user, provider="educonnect", uid="a")
    with CaptureQueriesContext(connection) as before:
        client.get(page_url(school, ent_pupil))
    for n in range(3):
        SocialAccount.objects.create(user=ent_pupil.user, provider="educonnect", uid=f"b{n}")
    with CaptureQueriesContext(connection) as after:
        client.get(page_url(school, ent_pupil))
    assert len(after) == len(before)


@pytest.mark.parametrize(
    "claims, found",
    [
        ({"ine": "0601234567k"}, True),  # INE in lower case: found
        ({"ine": "0601234567K", "uai": "0693834T"}, True),
        ({"ine": "0601234567K", "uai": "0750001A"}, False),  # another school's UAI
        ({"ine": "0601234567K", "uai": ""}, False),  # a UAI claim configured but missing
        ({"ine": ""}, False),
        ({"ine": ["0601234567K"]}, False),  # not a string: ignored
    ],
)
def test_the_ine_is_looked_up_in_the_school_of_the_uai_claim(school, claims, found):
    pupil = PupilFactory(school=school, ine="0601234567K", user=UserFactory(username="ine", email=""))
    settings = {"ine_claim": "ine", "uai_claim": "uai" if "uai" in claims else ""}
    assert (account_for(claims, settings) == pupil.user) is found


def test_two_active_pupils_with_the_same_ine_match_nobody(school, other_school):
    PupilFactory(school=school, ine="0601234567K", user=UserFactory(username="a", email=""))
    PupilFactory(school=other_school, ine="0601234567K", user=UserFactory(username="b", email=""))
    assert account_for({"ine": "0601234567K"}, {"ine_claim": "ine"}) is None


def test_linking_and_unlinking_are_in_the_journal_once_each(client_for, school, school_admin, ent_pupil, educonnect):
    from orga.audit.models import AuditEvent

    client = client_for(school_admin)
    for _ in range(2):  # the second link changes nothing: no second event
        client.post(link_url(school, ent_pupil), {"provider": "educonnect", "identifier": "f1e2d3c4"})
    linked = AuditEvent.objects.get(action=AuditEvent.Action.ENT_LINKED)
    assert linked.school == school and linked.actor == school_admin
    assert (linked.target_id, linked.target_label) == (str(ent_pupil.id), str(ent_pupil))
    assert linked.detail == {"provider": "educonnect", "uid": "f1e2d3c4"}
    assert linked.description == "Compte ENT relié à un élève (educonnect)"
    link = SocialAccount.objects.get(user=ent_pupil.user)
    unlink = reverse("orga:pupil_ent_unlink", kwargs={"uai": school.uai, "pupil_id": ent_pupil.id, "link_id": link.id})
    for _ in range(2):  # the second click finds nothing to remove
        client.post(unlink)
    unlinked = AuditEvent.objects.get(action=AuditEvent.Action.ENT_UNLINKED)
    assert (unlinked.target_id, unlinked.detail["uid"]) == (str(ent_pupil.id), "f1e2d3c4")
    refused = PupilFactory(school=school, division=ent_pupil.division, user=UserFactory(username="tom", email=""))
    client.post(link_url(school, refused), {"provider": "educonnect", "identifier": "f1e2d3c4"})  # now Tom's
    client.post(link_url(school, ent_pupil), {"provider": "educonnect", "identifier": "f1e2d3c4"})  # refused
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ENT_LINKED).count() == 2  # Tom once, Léa refused
