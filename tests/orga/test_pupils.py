import csv
import datetime
import io
from html import unescape

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orga.pupils.credentials import temporary_password, unique_username, username_base
from tests.factories import DivisionFactory, PupilFactory, UserFactory


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


# --- Pure rules --------------------------------------------------------------------------------


def test_username_is_firstname_lastname_and_birth_day_month():
    assert username_base("Léa-Chloé", "DE LA FONTAINE", datetime.date(2012, 3, 9)) == "leachloe.delafontaine0903"
    assert username_base("Maël Jean", "N'Guessan", datetime.date(2011, 12, 25)) == "mael.nguessan2512"
    assert username_base("Œdipe", "Ça", datetime.date(2011, 1, 1)) == "oedipe.ca0101"


def test_username_collisions_get_a_digit():
    assert unique_username("lea.martin1405", set()) == "lea.martin1405"
    assert unique_username("lea.martin1405", {"lea.martin1405"}) == "lea.martin14052"
    assert unique_username("lea.martin1405", {"lea.martin1405", "lea.martin14052"}) == "lea.martin14053"


def test_temporary_password_shape():
    for _ in range(200):
        password = temporary_password()
        assert len(password) == 8
        assert password[:6].isalpha() and not set(password[:6]) & set("ilo")
        assert set(password[6:]) <= set("23456789")


# --- Lists and detail -------------------------------------------------------------------------


@pytest.mark.django_db
def test_pupil_list_search_and_filters(client_for, school, teacher):
    a = DivisionFactory(school=school, name="3e A")
    b = DivisionFactory(school=school, name="3e B")
    PupilFactory(school=school, division=a, last_name="DURAND", first_name="Inès", ine="1234567890A")
    PupilFactory(school=school, division=b, last_name="MARTIN", first_name="Hugo")
    PupilFactory(school=school, division=b, last_name="PETIT", first_name="Zoé", is_active=False)
    client = client_for(teacher)
    html = client.get(url("pupils", school)).content.decode()
    assert "DURAND" in html and "MARTIN" in html and "PETIT" not in html
    html = client.get(url("pupils", school), {"q": "inès"}).content.decode()
    assert "DURAND" in html and "MARTIN" not in html
    html = client.get(url("pupils", school), {"q": "1234567890a"}).content.decode()
    assert "DURAND" in html
    html = client.get(url("pupils", school), {"classe": b.id}).content.decode()
    assert "MARTIN" in html and "DURAND" not in html
    html = client.get(url("pupils", school), {"statut": "desactives"}).content.decode()
    assert "PETIT" in html and "MARTIN" not in html
    partial = client.get(url("pupils", school), {"q": "hugo"}, headers={"HX-Request": "true"}).content.decode()
    assert "MARTIN" in partial and "<html" not in partial


@pytest.mark.django_db
def test_pupil_list_query_count_is_fixed(client_for, school, teacher):
    client = client_for(teacher)
    division = DivisionFactory(school=school)
    PupilFactory.create_batch(3, school=school, division=division, user=None)
    with CaptureQueriesContext(connection) as few:
        client.get(url("pupils", school))
    for pupil in PupilFactory.create_batch(30, school=school, division=division):
        pupil.user = UserFactory()
        pupil.save()
    with CaptureQueriesContext(connection) as many:
        client.get(url("pupils", school))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_division_list_query_count_is_fixed(client_for, school, school_admin):
    client = client_for(school_admin)
    PupilFactory(school=school, division=DivisionFactory(school=school))
    with CaptureQueriesContext(connection) as few:
        client.get(url("divisions", school))
    for _ in range(8):
        PupilFactory.create_batch(3, school=school, division=DivisionFactory(school=school))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("divisions", school))
    assert len(many) == len(few)
    assert response.content.decode().count("Comptes et identifiants") == 9


@pytest.mark.django_db
def test_pupil_detail(client_for, school, teacher):
    pupil = PupilFactory(school=school, last_name="BERNARD", preferred_last_name="ROY", mef_code="10310019110")
    html = client_for(teacher).get(url("pupil_detail", school, pupil_id=pupil.id)).content.decode()
    assert "ROY" in html and "BERNARD" in html and "10310019110" in html and pupil.ine in html
    assert "Pas encore de compte" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [("teacher", 200), ("school_admin", 200), ("superuser", 200), ("pupil", 403), ("other_school_admin", 404)],
)
def test_lists_permissions(client_for, request, school, who, status):
    client = client_for(request.getfixturevalue(who))
    pupil = PupilFactory(school=school)
    for name, kwargs in [("pupils", {}), ("divisions", {}), ("pupil_detail", {"pupil_id": pupil.id})]:
        assert client.get(url(name, school, **kwargs)).status_code == status, name


@pytest.mark.django_db
def test_pupil_of_another_school_is_404(client_for, school, teacher, other_school):
    other = PupilFactory(school=other_school)
    assert client_for(teacher).get(url("pupil_detail", school, pupil_id=other.id)).status_code == 404


# --- Accounts ---------------------------------------------------------------------------------


def post_sheet(client, school, division, fmt, action, pupils=()):
    return client.post(
        url("credentials_file", school, division_id=division.id, fmt=fmt),
        {"action": action, "eleves": [p.id for p in pupils]},
    )


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.mark.django_db
def test_generate_accounts_for_a_class_as_csv(client_for, school, school_admin):
    division = DivisionFactory(school=school, name="3e A")
    lea = PupilFactory(
        school=school, division=division, first_name="Léa", last_name="MARTIN", birthdate=datetime.date(2012, 5, 14)
    )
    homonym = PupilFactory(
        school=school, division=division, first_name="Léa", last_name="Martin", birthdate=datetime.date(2011, 5, 14)
    )
    response = post_sheet(client_for(school_admin), school, division, "csv", "generer")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response)
    assert rows[0] == ["Classe", "Nom", "Prénom", "Identifiant", "Mot de passe"]
    usernames = sorted(row[3] for row in rows[1:])
    assert usernames == ["lea.martin1405", "lea.martin14052"]
    for row in rows[1:]:
        user = authenticate(username=row[3], password=row[4])
        assert user is not None and user.must_change_password
        assert row[4] not in user.password  # stored hashed only
    lea.refresh_from_db()
    homonym.refresh_from_db()
    assert lea.user and homonym.user and lea.user != homonym.user


@pytest.mark.django_db
def test_generate_only_for_the_selection_and_never_twice(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    chosen, other = PupilFactory.create_batch(2, school=school, division=division)
    client = client_for(school_admin)
    rows = read_csv(post_sheet(client, school, division, "csv", "generer", [chosen]))
    assert len(rows) == 2
    other.refresh_from_db()
    assert other.user is None
    response = post_sheet(client, school, division, "csv", "generer", [chosen])
    assert response.status_code == 302  # nothing to generate: a message, no file
    assert get_user_model().objects.filter(pupil__isnull=False).count() == 1


@pytest.mark.django_db
def test_bulk_reset_of_a_class(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    PupilFactory.create_batch(3, school=school, division=division)
    client = client_for(school_admin)
    first = {row[3]: row[4] for row in read_csv(post_sheet(client, school, division, "csv", "generer"))[1:]}
    confirmed = {"action": "reinitialiser", "tout": "1", "confirme": "1"}
    second = {row[3]: row[4] for row in read_csv(post_reset(client, school, division, confirmed))[1:]}
    assert first.keys() == second.keys()
    for username, password in second.items():
        assert authenticate(username=username, password=password) is not None
        assert authenticate(username=username, password=first[username]) is None


@pytest.mark.django_db
def test_credentials_pdf_has_one_card_per_pupil(client_for, school, school_admin, overflows):
    from pypdf import PdfReader

    division = DivisionFactory(school=school, name="4e B")
    for first in ("Anaïs", "Côme", "Noé"):
        PupilFactory(school=school, division=division, first_name=first)
    response = post_sheet(client_for(school_admin), school, division, "pdf", "generer")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Identifiants de connexion — 4e B" in text
    for first in ("Anaïs", "Côme", "Noé"):
        assert first in text
    assert text.count("Mot de passe") == 3
    assert overflows() == []  # nothing cut at the right edge of the page


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
def test_accounts_permissions(client_for, request, school, who, status):
    division = DivisionFactory(school=school)
    PupilFactory(school=school, division=division)
    client = client_for(request.getfixturevalue(who))
    accounts_before = get_user_model().objects.filter(pupil__isnull=False).count()
    assert client.get(url("division_accounts", school, division_id=division.id)).status_code == status
    assert post_sheet(client, school, division, "csv", "generer").status_code == status
    assert post_sheet(client, school, division, "csv", "reinitialiser").status_code == status
    assert get_user_model().objects.filter(pupil__isnull=False).count() == accounts_before


@pytest.mark.django_db
def test_division_of_another_school_is_404(client_for, school, school_admin, other_school):
    division = DivisionFactory(school=other_school)
    assert post_sheet(client_for(school_admin), school, division, "csv", "generer").status_code == 404


@pytest.mark.django_db
def test_temporary_password_must_be_changed_at_first_sign_in(client, school):
    from orga.pupils.accounts import generate_accounts

    pupil = PupilFactory(school=school)
    credential = generate_accounts([pupil])[0]
    response = client.post(reverse("account_login"), {"login": credential.username, "password": credential.password})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("account_change_password")
    page = client.get(response.url).content.decode()
    assert "Mot de passe provisoire" in page
    same = {"oldpassword": credential.password, "password1": credential.password, "password2": credential.password}
    response = client.post(reverse("account_change_password"), same)
    assert "Choisissez un mot de passe différent du mot de passe provisoire." in response.content.decode()
    pupil.user.refresh_from_db()
    assert pupil.user.must_change_password is True
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": credential.password, "password1": "Mon-code-perso-42", "password2": "Mon-code-perso-42"},
    )
    # The pupil lands on their home, with "J'ai un code", not on an empty password form.
    assert response.status_code == 302 and response.url == reverse("home")
    pupil.user.refresh_from_db()
    assert pupil.user.must_change_password is False
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert reverse("orga:enter_code") in home.content.decode()


# --- Resets ask for a confirmation; the sheet is built before anything is committed -----------


def give_accounts(pupils, chosen=()):
    """Accounts with a known password; the `chosen` pupils have already picked their own."""
    from orga.pupils.accounts import generate_accounts

    passwords = {c.username: c.password for c in generate_accounts(pupils)}
    for pupil in chosen:
        pupil.user.must_change_password = False
        pupil.user.save(update_fields=["must_change_password"])
    return {pupil.id: (pupil.user.username, passwords[pupil.user.username]) for pupil in pupils}


def still_work(passwords):
    return [authenticate(username=u, password=p) is not None for u, p in passwords.values()]


def post_reset(client, school, division, data, fmt="csv"):
    return client.post(url("credentials_file", school, division_id=division.id, fmt=fmt), data)


@pytest.mark.django_db
def test_reset_with_nothing_ticked_changes_nothing(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    pupils = PupilFactory.create_batch(3, school=school, division=division)
    passwords = give_accounts(pupils)
    client = client_for(school_admin)
    response = post_reset(client, school, division, {"action": "reinitialiser", "confirme": "1"}, fmt="pdf")
    assert response.status_code == 302
    assert "Aucun élève coché" in client.get(response.url).content.decode()
    html = client.post(url("reset_confirm", school, division_id=division.id), {}, follow=True).content.decode()
    assert "Aucun élève coché" in html and "Tout sélectionner" in html
    assert all(still_work(passwords))


@pytest.mark.django_db
def test_reset_asks_for_confirmation_with_the_count_and_leaves_chosen_passwords(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    pupils = PupilFactory.create_batch(5, school=school, division=division)
    chosen = pupils[:2]
    passwords = give_accounts(pupils, chosen=chosen)
    client = client_for(school_admin)
    # Step 1: the selection posts to a confirmation page that changes nothing.
    response = client.post(url("reset_confirm", school, division_id=division.id), {"tout": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réinitialiser le mot de passe de 3 élèves ?" in html
    assert "Les anciens mots de passe ne fonctionneront plus." in html
    assert "inclure les 2 élèves qui ont déjà choisi leur mot de passe" in html
    assert 'name="inclure_choisis"' in html and 'name="inclure_choisis" value="1" checked' not in html
    for pupil in pupils:
        assert pupil.first_name in html
    assert all(still_work(passwords))
    # A reset without the confirmation step changes nothing either.
    ids = [p.id for p in pupils]
    assert post_reset(client, school, division, {"action": "reinitialiser", "eleves": ids}).status_code == 302
    assert all(still_work(passwords))
    # Step 2: confirmed, it leaves out the pupils who chose their password...
    rows = read_csv(post_reset(client, school, division, {"action": "reinitialiser", "eleves": ids, "confirme": "1"}))
    assert len(rows) == 1 + 3
    assert still_work(passwords) == [True, True, False, False, False]
    for pupil in chosen:
        pupil.user.refresh_from_db()
        assert pupil.user.must_change_password is False
    # ...unless asked explicitly.
    data = {"action": "reinitialiser", "eleves": ids, "confirme": "1", "inclure_choisis": "1"}
    assert len(read_csv(post_reset(client, school, division, data))) == 1 + 5
    assert still_work(passwords) == [False] * 5


@pytest.mark.django_db
def test_accounts_page_offers_select_all_without_script(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    PupilFactory.create_batch(2, school=school, division=division)
    html = client_for(school_admin).get(url("division_accounts", school, division_id=division.id)).content.decode()
    assert 'type="checkbox" id="tout" name="tout" value="1"' in html
    assert "Tout sélectionner" in html and "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert url("reset_confirm", school, division_id=division.id) in html
    assert "aucun coché : toute la classe" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("teacher", 403), ("pupil", 403), ("other_school_admin", 404)])
def test_reset_confirmation_permissions(client_for, request, school, who, status):
    division = DivisionFactory(school=school)
    passwords = give_accounts(PupilFactory.create_batch(2, school=school, division=division))
    client = client_for(request.getfixturevalue(who))
    assert client.post(url("reset_confirm", school, division_id=division.id), {"tout": "1"}).status_code == status
    data = {"action": "reinitialiser", "tout": "1", "confirme": "1", "inclure_choisis": "1"}
    assert post_reset(client, school, division, data).status_code == status
    assert all(still_work(passwords))


@pytest.mark.django_db
def test_reset_confirmation_of_another_schools_class_is_404(client_for, school, school_admin, other_school):
    division = DivisionFactory(school=other_school)
    response = client_for(school_admin).post(url("reset_confirm", school, division_id=division.id), {"tout": "1"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_reset_query_count_is_fixed(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    client = client_for(school_admin)

    def count_queries():
        counts = []
        for target, data in (
            (url("reset_confirm", school, division_id=division.id), {"tout": "1"}),
            (
                url("credentials_file", school, division_id=division.id, fmt="csv"),
                {"action": "reinitialiser", "tout": "1", "confirme": "1", "inclure_choisis": "1"},
            ),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.post(target, data).status_code == 200
            counts.append(len(queries))
        return counts

    give_accounts(PupilFactory.create_batch(2, school=school, division=division))
    few = count_queries()
    more = PupilFactory.create_batch(10, school=school, division=division)
    give_accounts(more, chosen=more[:4])
    assert count_queries() == few


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, builder", [("pdf", "credentials_pdf"), ("csv", "credentials_csv")])
def test_a_failing_sheet_leaves_the_old_passwords(client_for, school, school_admin, monkeypatch, fmt, builder):
    import orga.pupils.views.pupils as views

    def broken(*args, **kwargs):
        raise RuntimeError("sheet failed")

    monkeypatch.setattr(views, builder, broken)
    division = DivisionFactory(school=school)
    with_account = PupilFactory.create_batch(2, school=school, division=division)
    passwords = give_accounts(with_account)
    without_account = PupilFactory(school=school, division=division)
    client = client_for(school_admin)
    for data in ({"action": "reinitialiser", "tout": "1", "confirme": "1"}, {"action": "generer"}):
        response = post_reset(client, school, division, data, fmt=fmt)
        assert response.status_code == 302
        html = unescape(client.get(response.url).content.decode())
        assert "n'a pas pu être créé" in html and "aucun mot de passe n'a été changé" in html
    assert all(still_work(passwords))
    without_account.refresh_from_db()
    assert without_account.user_id is None
    assert get_user_model().objects.filter(pupil__isnull=False).count() == 2


@pytest.mark.django_db
def test_hostile_pupil_ids_are_ignored(client_for, school, school_admin):
    division = DivisionFactory(school=school)
    passwords = give_accounts(PupilFactory.create_batch(2, school=school, division=division))
    client = client_for(school_admin)
    data = {"action": "reinitialiser", "confirme": "1", "eleves": ["²", "٣", "99999999999999999999999", "x"]}
    response = post_reset(client, school, division, data)
    assert response.status_code == 302
    assert "Aucun élève coché" in client.get(response.url).content.decode()
    assert client.post(url("reset_confirm", school, division_id=division.id), data).status_code == 302
    assert all(still_work(passwords))
