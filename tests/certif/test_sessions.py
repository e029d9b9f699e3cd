"""Sessions: windows, codes, the session pages and the surveillance plan."""

import datetime
from html import unescape

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from certif.models import Candidate, NationalWindow, Session
from certif.sessions import codes, services
from tests.factories import MembershipFactory, PupilFactory, UserFactory

from .helpers import make_session, url

# --- National windows -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_brings_the_windows_of_2025_26_and_indicative_2026_27():
    third = NationalWindow.objects.get(school_year="2025-2026", grade="3e")
    assert (third.starts_on, third.ends_on, third.is_indicative) == (
        datetime.date(2026, 3, 16),
        datetime.date(2026, 6, 13),
        False,
    )
    for grade in ("terminale", "cap", "bts_cpge"):
        window = NationalWindow.objects.get(school_year="2025-2026", grade=grade)
        assert (window.starts_on, window.ends_on) == (datetime.date(2025, 11, 3), datetime.date(2026, 3, 6))
    assert NationalWindow.objects.filter(school_year="2026-2027", is_indicative=True).count() == 4


@pytest.mark.django_db
def test_a_date_outside_its_grade_window_warns():
    windows = NationalWindow.objects
    assert windows.warning_for(datetime.date(2027, 4, 8), "3e") == ""
    warning = windows.warning_for(datetime.date(2027, 1, 12), "3e")
    assert "hors de la fenêtre nationale" in warning and "du 15/03/2027 au 11/06/2027, dates indicatives" in warning
    assert windows.warning_for(datetime.date(2027, 1, 12), "terminale") == ""  # the lycée window
    assert "Aucune fenêtre nationale" in windows.warning_for(datetime.date(2028, 4, 3), "3e")


@pytest.mark.django_db
def test_a_superuser_edits_the_windows_in_the_admin(client_for, superuser, school_admin):
    window = NationalWindow.objects.get(school_year="2026-2027", grade="3e")
    change = f"/admin/certif/nationalwindow/{window.id}/change/"
    data = {"school_year": "2026-2027", "grade": "3e", "starts_on": "2027-03-22", "ends_on": "2027-06-18"}
    assert client_for(superuser).post(change, data).status_code == 302
    window.refresh_from_db()
    assert window.starts_on == datetime.date(2027, 3, 22) and not window.is_indicative
    assert client_for(school_admin).get(change).status_code == 302  # not staff: the admin's sign-in page


# --- Codes ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_gets_a_number_an_access_code_and_a_password(school):
    session = make_session(school)
    assert codes.is_access_code(session.access_code)
    assert len(session.invigilator_password) == 6
    assert 100_000 <= session.number <= 999_999
    assert session.status == Session.Status.CREATED and session.get_status_display() == "Créée"
    assert [i.name for i in session.invigilators.all()] == ["M. Dupont"]


@pytest.mark.django_db
def test_a_taken_code_is_drawn_again(school, monkeypatch):
    first = make_session(school)
    drawn = iter([first.access_code, first.access_code, "BCDF23"])
    monkeypatch.setattr(codes, "access_code", lambda rng=None: next(drawn))
    numbers = iter([first.number, 123456])
    monkeypatch.setattr(codes, "session_number", lambda rng=None: next(numbers))
    second = make_session(school)
    assert (second.access_code, second.number) == ("BCDF23", 123456)


@pytest.mark.django_db
def test_access_codes_are_unique_among_open_sessions_only(school):
    first = make_session(school)
    second = make_session(school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(id=second.id).update(access_code=first.access_code)
    Session.objects.filter(id=first.id).update(status=Session.Status.FINALISED)
    Session.objects.filter(id=second.id).update(access_code=first.access_code)  # a finalised session frees it


@pytest.mark.django_db
def test_a_session_ends_after_105_minutes_plus_the_longest_extra_time(school):
    session = make_session(school, start=datetime.time(8, 0))
    assert session.ends_at().time() == datetime.time(9, 45)
    assert session.ends_at(33).time() == datetime.time(10, 20)  # 139.65 minutes, rounded up to 140


# --- Pages ------------------------------------------------------------------------------------------

SESSION_DATA = {
    "grade": "3e",
    "date": "2027-04-08",
    "start_time": "09:00",
    "room": "Salle 104",
    "address": "Collège Jean-Moulin, 12 rue des Écoles",
    "capacity": "30",
    "description": "",
    "invigilator_names": "M. Petit\n\n  m.  petit \nMme Roy",
}


@pytest.mark.django_db
def test_an_admin_creates_a_session_with_invigilators(client_for, school, school_admin, teacher):
    response = client_for(school_admin).post(
        url("session_create", school), SESSION_DATA | {"invigilator_accounts": [teacher.id]}
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == url("session_detail", school, session_id=session.id)
    assert session.school == school and session.start_time == datetime.time(9, 0)
    people = [(i.name, i.user_id) for i in session.invigilators.all()]
    assert people == [(teacher.display_name, teacher.id), ("M. Petit", None), ("Mme Roy", None)]


@pytest.mark.django_db
def test_a_finalised_session_no_longer_warns_about_its_date(client_for, school, school_admin):
    session = make_session(school, date=datetime.date(2027, 1, 12))
    client = client_for(school_admin)
    assert "hors de la fenêtre nationale" in unescape(
        client.get(url("session_detail", school, session_id=session.id)).content.decode()
    )
    session.status = Session.Status.FINALISED
    session.save(update_fields=["status"])
    html = unescape(client.get(url("session_detail", school, session_id=session.id)).content.decode())
    assert "hors de la fenêtre nationale" not in html


@pytest.mark.django_db
def test_a_finalised_session_no_longer_shows_its_codes(client_for, school, school_admin):
    session = make_session(school)
    client = client_for(school_admin)
    html = client.get(url("session_detail", school, session_id=session.id)).content.decode()
    assert session.access_code in html and session.invigilator_password in html
    session.status = Session.Status.FINALISED
    session.save(update_fields=["status"])
    html = unescape(client.get(url("session_detail", school, session_id=session.id)).content.decode())
    assert session.access_code not in html and session.invigilator_password not in html
    assert "son code d'accès et le mot de passe du surveillant ne servent plus" in " ".join(html.split())


@pytest.mark.django_db
def test_a_session_outside_the_window_is_created_with_a_warning(client_for, school, school_admin):
    client = client_for(school_admin)
    response = client.post(url("session_create", school), SESSION_DATA | {"date": "2027-01-12"}, follow=True)
    html = unescape(response.content.decode())
    assert Session.objects.count() == 1
    assert html.count("hors de la fenêtre nationale de certification des 3e") == 2  # message and page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"room": "S" * 101}, "Salle : 100 caractères au plus (vous en avez saisi 101)."),
        ({"address": "A" * 256}, "Adresse : 255 caractères au plus"),
        ({"start_time": "9h"}, "au format HH:MM"),
        ({"capacity": "0"}, "Nombre de places : au moins 1."),
        ({"invigilator_names": "X" * 151}, "compte 151 caractères, 150 au plus"),
        ({"invigilator_names": ""}, "Indiquez au moins un surveillant"),
        ({"room": ""}, "Salle : ce champ est obligatoire."),
    ],
)
def test_bad_input_gets_a_french_message_naming_the_field(client_for, school, school_admin, change, message):
    response = client_for(school_admin).post(url("session_create", school), SESSION_DATA | change)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_hostile_strings_are_shown_escaped(client_for, school, school_admin):
    hostile = '<script>alert("x")</script>'
    session = make_session(school, room=hostile, invigilators=[(hostile, None)])
    html = client_for(school_admin).get(url("session_detail", school, session_id=session.id)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    html = client_for(school_admin).get(url("surveillance", school)).content.decode()
    assert "<script>alert" not in html


@pytest.mark.django_db
def test_editing_a_session_keeps_its_codes(client_for, school, school_admin):
    session = make_session(school)
    before = (session.number, session.access_code, session.invigilator_password)
    response = client_for(school_admin).post(
        url("session_edit", school, session_id=session.id), SESSION_DATA | {"room": "CDI"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room == "CDI" and (session.number, session.access_code, session.invigilator_password) == before
    assert [i.name for i in session.invigilators.all()] == ["M. Petit", "Mme Roy"]


@pytest.mark.django_db
def test_capacity_cannot_drop_below_the_enrolled_candidates(client_for, school, school_admin):
    session = make_session(school)
    for pupil in PupilFactory.create_batch(3, school=school):
        Candidate.objects.create(
            session=session, pupil=pupil, ine=pupil.ine, last_name="X", first_name="Y", birthdate=pupil.birthdate
        )
    response = client_for(school_admin).post(
        url("session_edit", school, session_id=session.id), SESSION_DATA | {"capacity": "2"}
    )
    assert "3 candidats sont déjà inscrits" in unescape(response.content.decode())


@pytest.mark.django_db
def test_a_finalised_session_is_locked(client_for, school, school_admin):
    session = make_session(school)
    Session.objects.filter(id=session.id).update(status=Session.Status.FINALISED)
    client = client_for(school_admin)
    assert client.get(url("session_edit", school, session_id=session.id)).status_code == 403
    assert client.post(url("session_delete", school, session_id=session.id)).status_code == 403


@pytest.mark.django_db
def test_delete_while_no_candidate_started(client_for, school, school_admin):
    session = make_session(school)
    pupil = PupilFactory(school=school)
    candidate = Candidate.objects.create(
        session=session, pupil=pupil, ine=pupil.ine, last_name="X", first_name="Y", birthdate=pupil.birthdate
    )
    client = client_for(school_admin)
    confirm = client.get(url("session_delete", school, session_id=session.id)).content.decode()
    assert "avec l&#x27;inscription de 1 candidat" in confirm or "avec l'inscription de 1 candidat" in unescape(confirm)
    Candidate.objects.filter(id=candidate.id).update(
        started_at=datetime.datetime(2027, 4, 8, 9, 5, tzinfo=datetime.UTC)
    )
    assert client.post(url("session_delete", school, session_id=session.id)).status_code == 403
    assert Session.objects.filter(id=session.id).exists()
    Candidate.objects.filter(id=candidate.id).update(started_at=None)
    response = client.post(url("session_delete", school, session_id=session.id))
    assert response.status_code == 302 and not Session.objects.exists() and not Candidate.objects.exists()


@pytest.mark.django_db
def test_list_filters_by_status_and_orders_by_date(client_for, school, school_admin):
    later = make_session(school, date=datetime.date(2027, 5, 20), room="Salle tardive")
    sooner = make_session(school, date=datetime.date(2027, 3, 20), room="Salle matinale")
    Session.objects.filter(id=later.id).update(status=Session.Status.PROCESSED)
    html = client_for(school_admin).get(url("sessions", school)).content.decode()
    assert html.index("Salle matinale") < html.index("Salle tardive")
    html = client_for(school_admin).get(url("sessions", school), {"statut": "created"}).content.decode()
    assert "Salle matinale" in html and "Salle tardive" not in html
    assert str(sooner.number) in html


@pytest.mark.django_db
def test_the_calendar_groups_sessions_by_week_and_day(client_for, school, teacher, on_4_december_2026):
    make_session(school, date=datetime.date(2027, 4, 8), room="Salle jeudi")
    make_session(school, date=datetime.date(2027, 4, 9), room="Salle vendredi")
    make_session(school, date=datetime.date(2027, 4, 13), room="Salle mardi")
    html = client_for(teacher).get(url("calendar", school)).content.decode()
    assert html.count("Semaine du") == 2
    assert "Semaine du 5 avril au 11 avril 2027" in html and "Jeudi 8 avril" in html
    assert "Salle jeudi" in html and "Salle mardi" in html


@pytest.mark.django_db
def test_the_surveillance_plan_flags_a_person_in_two_rooms(client_for, school, school_admin, teacher):
    make_session(school, room="Salle A", invigilators=[(teacher.display_name, teacher), ("M. Petit", None)])
    make_session(school, room="Salle B", start=datetime.time(10, 30), invigilators=[(teacher.display_name, None)])
    make_session(school, room="Salle C", start=datetime.time(10, 45), invigilators=[("m. petit", None)])
    html = unescape(client_for(school_admin).get(url("surveillance", school)).content.decode())
    assert "1 personne surveille deux salles en même temps" in html
    assert html.count("Chevauchement</p>") == 2
    assert "window.print()" in html


# --- Who may open the pages -------------------------------------------------------------------------

ADMIN_PAGES = ["session_create", "window_warning", "surveillance", "session_detail", "session_edit", "session_delete"]
MEMBER_PAGES = ["sessions", "calendar"]


def _page(name, school, session):
    return (
        url(name, school, session_id=session.id)
        if name.startswith("session_") and name != "session_create"
        else url(name, school)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_PAGES + MEMBER_PAGES)
@pytest.mark.parametrize(
    "who, status",
    [("school_admin", 200), ("teacher", "member"), ("other_school_admin", 404), ("pupil", 403), ("superuser", 200)],
)
def test_permissions(client_for, request, school, name, who, status):
    session = make_session(school)
    if status == "member":
        status = 200 if name in MEMBER_PAGES else 403
    response = client_for(request.getfixturevalue(who)).get(_page(name, school, session))
    assert response.status_code == status


@pytest.mark.django_db
def test_anonymous_goes_to_sign_in(client, school):
    response = client.get(url("sessions", school))
    assert response.status_code == 302 and "/comptes/" in response.url


@pytest.mark.django_db
def test_a_session_of_another_school_is_not_found(client_for, school, other_school, school_admin):
    theirs = make_session(other_school)
    assert client_for(school_admin).get(url("session_detail", school, session_id=theirs.id)).status_code == 404
    assert client_for(school_admin).post(url("session_delete", school, session_id=theirs.id)).status_code == 404


@pytest.mark.django_db
def test_the_admin_sees_certification_in_the_navigation(client_for, school, school_admin, teacher):
    def navigation(user):
        html = client_for(user).get("/").content.decode()
        start = html.index('id="navigation-principale"')
        return html[start : html.index("</nav>", start)]

    assert url("sessions", school) in navigation(school_admin)
    # A teacher reaches the sessions from the home page's certification section, not from the menu.
    assert url("sessions", school) not in navigation(teacher)


# --- Query counts -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["sessions", "calendar", "surveillance"])
def test_lists_query_count_is_fixed(client_for, school, school_admin, name):
    client = client_for(school_admin)

    def add_sessions(count):
        for i in range(count):
            session = make_session(
                school, date=datetime.date(2027, 4, 8 + i % 5), invigilators=[(f"Surveillant {i}", None)]
            )
            pupil = PupilFactory(school=school)
            Candidate.objects.create(
                session=session,
                pupil=pupil,
                ine=pupil.ine,
                last_name="X",
                first_name="Y",
                birthdate=pupil.birthdate,
                extra_time_percentage=33,
            )

    add_sessions(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, school)).status_code == 200
    add_sessions(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url(name, school))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_session_page_query_count_is_fixed(client_for, school, school_admin):
    session = make_session(school, invigilators=[("A", None), ("B", MembershipFactory(school=school).user)])
    client = client_for(school_admin)

    def enrol(count):
        for pupil in PupilFactory.create_batch(count, school=school):
            Candidate.objects.create(
                session=session, pupil=pupil, ine=pupil.ine, last_name="X", first_name="Y", birthdate=pupil.birthdate
            )

    enrol(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url("session_detail", school, session_id=session.id))
    enrol(12)
    services.set_invigilators(session, [("A", None), ("C", UserFactory()), ("D", UserFactory())])
    with CaptureQueriesContext(connection) as many:
        client.get(url("session_detail", school, session_id=session.id))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_warns_about_the_window_too(client_for, school, school_admin):
    data = SESSION_DATA | {"date": "2027-01-12", "room": ""}
    html = unescape(client_for(school_admin).post(url("session_create", school), data).content.decode())
    assert "Salle : ce champ est obligatoire." in html and "hors de la fenêtre nationale" in html


@pytest.mark.django_db
def test_the_form_shows_the_windows_of_the_schools_pupils(client_for, school, school_admin, on_4_december_2026):
    from orga.models import School

    client = client_for(school_admin)
    html = client.get(url("session_create", school)).content.decode()
    assert "3e (collège) : du 15/03/2027 au 11/06/2027, dates indicatives" in html and "Terminale :" not in html
    School.objects.filter(id=school.id).update(type=School.Type.LYCEE)
    html = client.get(url("session_create", school)).content.decode()
    assert "Terminale : du 02/11/2026 au 05/03/2027" in html and "3e (collège) :" not in html
    assert 'value="terminale" selected' in html  # a lycée's sessions are for Terminales by default


@pytest.mark.django_db
def test_an_invigilator_whose_account_left_the_school_is_kept_by_name(client_for, school, school_admin):
    leaving = MembershipFactory(school=school, user=UserFactory(first_name="Anne", last_name="Départ"))
    session = make_session(school, invigilators=[("Anne Départ", leaving.user)])
    leaving.is_active = False
    leaving.save()
    html = client_for(school_admin).get(url("session_edit", school, session_id=session.id)).content.decode()
    assert ">Anne Départ</textarea>" in unescape(html).replace("\n", "")


@pytest.mark.django_db
def test_the_windows_admin_list_opens_for_a_superuser(client_for, superuser):
    html = client_for(superuser).get("/admin/certif/nationalwindow/").content.decode()
    assert "2026-2027" in html and "2025-2026" in html


@pytest.mark.django_db
def test_the_window_warning_follows_the_date_being_typed(client_for, school, school_admin, teacher):
    check = url("window_warning", school)
    client = client_for(school_admin)
    html = unescape(client.get(check, {"date": "2027-01-12", "grade": "3e"}).content.decode())
    assert "hors de la fenêtre nationale de certification des 3e" in html and "<html" not in html
    assert client.get(check, {"date": "2027-04-08", "grade": "3e"}).content.decode().strip() == ""
    assert client.get(check, {"date": "12/01/2027", "grade": "<b>"}).content.decode().strip() == ""
    assert client_for(teacher).get(check).status_code == 403
    assert client_for(None).get(check).status_code == 302
