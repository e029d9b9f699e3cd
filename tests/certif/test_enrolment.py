"""Enrolment: the school's active pupils, identity copied, already enrolled skipped, warnings, removal."""

import datetime
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certif.candidates.enrolment import EnrolmentRefused, enrol, remove, set_extra_time
from certif.models import Candidate, Session
from tests.factories import DivisionFactory, PupilFactory

from .helpers import FIVE, FOUR, make_session, position, url


@pytest.fixture
def session(school):
    return make_session(school)


@pytest.fixture
def division(school):
    return DivisionFactory(school=school, name="3e B")


@pytest.mark.django_db
def test_enrolment_copies_the_identity_and_a_later_import_does_not_change_it(session, division):
    pupil = PupilFactory(
        school=session.school,
        division=division,
        ine="123456789AB",
        last_name="N'GUESSAN",
        preferred_last_name="KOFFI",
        first_name="Aya",
        middle_name="Marie",
        birthdate=datetime.date(2012, 2, 29),
        birth_city="Saint-Étienne",
        sex="F",
    )
    report = enrol(session, [pupil.id], extra_time_percentage=33)
    candidate = report.enrolled[0]
    pupil.last_name, pupil.first_name, pupil.birthdate = "AUTRE", "Nom", datetime.date(2011, 1, 1)
    pupil.division = DivisionFactory(school=session.school, name="4e A")
    pupil.save()
    candidate = Candidate.objects.get(id=candidate.id)
    assert (candidate.ine, candidate.last_name, candidate.display_last_name) == ("123456789AB", "N'GUESSAN", "KOFFI")
    assert (candidate.first_names, candidate.birthdate) == ("Aya Marie", datetime.date(2012, 2, 29))
    assert (candidate.birth_place, candidate.sex, candidate.division_name) == ("Saint-Étienne", "F", "3e B")
    assert candidate.extra_time_percentage == 33 and candidate.pupil == pupil
    pupil.delete()
    candidate.refresh_from_db()
    assert candidate.pupil is None and candidate.last_name == "N'GUESSAN"  # SET_NULL: the candidate stays


@pytest.mark.django_db
def test_already_enrolled_inactive_and_other_schools_pupils_are_skipped(session, division, other_school):
    pupils = PupilFactory.create_batch(3, school=session.school, division=division)
    enrol(session, [pupils[0].id])
    inactive = PupilFactory(school=session.school, division=division, is_active=False)
    stranger = PupilFactory(school=other_school)
    report = enrol(session, [p.id for p in pupils] + [inactive.id, stranger.id, 999999])
    assert len(report.enrolled) == 2 and report.already == 1 and report.refused == 3
    assert session.candidates.count() == 3
    assert not Candidate.objects.filter(pupil__in=[inactive, stranger]).exists()
    text = report.messages()[0][1]
    assert "2 candidats inscrits" in text and "1 élève déjà inscrit, ignoré" in text and "3 élèves ignorés" in text


@pytest.mark.django_db
def test_warnings_for_pupils_not_certifiable_or_never_positioned(session, division, school_admin):
    certifiable, short, started, never = [
        PupilFactory(school=session.school, division=division, last_name=name, first_name="Léo")
        for name in ("ALPHA", "BRAVO", "CHARLIE", "DELTA")
    ]
    position(certifiable, school_admin, FIVE)
    position(short, school_admin, FOUR)
    position(started, school_admin, FIVE, shared=False)  # results never sent: never positioned
    report = enrol(session, [certifiable.id, short.id, started.id, never.id])
    assert report.not_certifiable == ["BRAVO Léo"]
    assert report.never_positioned == ["CHARLIE Léo", "DELTA Léo"]
    levels = [level for level, _ in report.messages()]
    assert levels == ["success", "warning", "warning"]


@pytest.mark.django_db
def test_a_later_level_0_replaces_an_earlier_level_1(session, division, school_admin):
    pupil = PupilFactory(school=session.school, division=division)
    position(pupil, school_admin, FIVE, on=datetime.date(2026, 9, 10))
    position(pupil, school_admin, {"4.1": 0}, on=datetime.date(2026, 10, 10))
    report = enrol(session, [pupil.id])
    assert report.not_certifiable == [str(pupil)]


@pytest.mark.django_db
def test_capacity_is_not_exceeded_and_nothing_is_half_written(school, division):
    session = make_session(school, capacity=2)
    pupils = PupilFactory.create_batch(3, school=school, division=division)
    with pytest.raises(EnrolmentRefused, match="plus que 2 places libres pour 3 élèves"):
        enrol(session, [p.id for p in pupils])
    assert not session.candidates.exists()


@pytest.mark.django_db
def test_extra_time_and_removal_only_before_finalisation_and_start(session, division):
    candidate = enrol(session, [PupilFactory(school=session.school, division=division).id]).enrolled[0]
    candidate = Candidate.objects.select_related("session").get(id=candidate.id)
    set_extra_time(candidate, 50)
    assert Candidate.objects.get(id=candidate.id).extra_time_percentage == 50
    Candidate.objects.filter(id=candidate.id).update(started_at=datetime.datetime(2027, 4, 8, 9, tzinfo=datetime.UTC))
    candidate = Candidate.objects.select_related("session").get(id=candidate.id)
    with pytest.raises(EnrolmentRefused, match="a commencé son test"):
        remove(candidate)
    Candidate.objects.filter(id=candidate.id).update(started_at=None)
    Session.objects.filter(id=session.id).update(status=Session.Status.FINALISED)
    candidate = Candidate.objects.select_related("session").get(id=candidate.id)
    with pytest.raises(EnrolmentRefused, match="finalisée"):
        remove(candidate)
    with pytest.raises(EnrolmentRefused, match="finalisée"):
        enrol(candidate.session, [candidate.pupil_id])
    Session.objects.filter(id=session.id).update(status=Session.Status.CREATED)
    candidate = Candidate.objects.select_related("session").get(id=candidate.id)
    remove(candidate)
    assert not Candidate.objects.exists()


# --- Pages ------------------------------------------------------------------------------------------


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_enrol_a_whole_class_then_a_selection(client_for, session, division, school_admin):
    school = session.school
    pupils = PupilFactory.create_batch(3, school=school, division=division)
    other = DivisionFactory(school=school, name="3e C")
    chosen = PupilFactory.create_batch(2, school=school, division=other)
    client = client_for(school_admin)
    page = url("enrolment", school, session_id=session.id)
    html = client.get(page, {"classe": division.id}).content.decode()
    assert all(pupil.last_name in unescape(html) for pupil in pupils)
    response = client.post(page, {"classe": division.id, "action": "classe", "extra_time_percentage": "0"})
    assert response.status_code == 302 and session.candidates.count() == 3
    response = client.post(
        page, {"classe": other.id, "action": "selection", "eleves": [chosen[0].id], "extra_time_percentage": "25"}
    )
    assert session.candidates.get(pupil=chosen[0]).extra_time_percentage == 25
    response = client.post(page, {"classe": division.id, "action": "classe", "extra_time_percentage": "0"})
    assert "3 élèves déjà inscrits, ignorés" in " ".join(_messages(response))
    html = client.get(page, {"classe": division.id}).content.decode()
    assert html.count("Déjà inscrit") == 3


@pytest.mark.django_db
@pytest.mark.parametrize("value, message", [("101", "100 % au plus"), ("-5", "0 % au moins"), ("abc", "nombre entier")])
def test_extra_time_is_validated(client_for, session, division, school_admin, value, message):
    pupil = PupilFactory(school=session.school, division=division)
    page = url("enrolment", session.school, session_id=session.id)
    response = client_for(school_admin).post(
        page, {"classe": division.id, "action": "selection", "eleves": [pupil.id], "extra_time_percentage": value}
    )
    assert message in unescape(response.content.decode()) and not session.candidates.exists()
    candidate = enrol(session, [pupil.id]).enrolled[0]
    response = client_for(school_admin).post(
        url("candidate_extra_time", session.school, candidate_id=candidate.id), {"extra_time_percentage": value}
    )
    assert any(message in m for m in _messages(response))
    assert Candidate.objects.get(id=candidate.id).extra_time_percentage == 0


@pytest.mark.django_db
def test_nothing_ticked_enrols_nobody(client_for, session, division, school_admin):
    PupilFactory(school=session.school, division=division)
    response = client_for(school_admin).post(
        url("enrolment", session.school, session_id=session.id),
        {"classe": division.id, "action": "selection", "eleves": ["x", "１２"], "extra_time_percentage": "0"},
    )
    assert "Aucun élève choisi" in unescape(response.content.decode()) and not session.candidates.exists()


@pytest.mark.django_db
def test_remove_and_change_extra_time_from_the_session_page(client_for, session, division, school_admin):
    candidate = enrol(session, [PupilFactory(school=session.school, division=division).id]).enrolled[0]
    client = client_for(school_admin)
    school = session.school
    client.post(url("candidate_extra_time", school, candidate_id=candidate.id), {"extra_time_percentage": "33"})
    assert Candidate.objects.get(id=candidate.id).extra_time_percentage == 33
    response = client.post(url("candidate_remove", school, candidate_id=candidate.id))
    assert response.status_code == 302 and not Candidate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status", [("school_admin", 200), ("teacher", 403), ("other_school_admin", 404), ("pupil", 403)]
)
def test_permissions(client_for, request, session, division, who, status):
    candidate = enrol(session, [PupilFactory(school=session.school, division=division).id]).enrolled[0]
    client = client_for(request.getfixturevalue(who))
    school = session.school
    assert client.get(url("enrolment", school, session_id=session.id)).status_code == status
    post_status = 302 if status == 200 else status
    extra = url("candidate_extra_time", school, candidate_id=candidate.id)
    assert client.post(extra, {"extra_time_percentage": "10"}).status_code == post_status
    assert client.post(url("candidate_remove", school, candidate_id=candidate.id)).status_code == post_status
    assert Candidate.objects.exists() is (status != 200)


@pytest.mark.django_db
def test_another_schools_candidate_is_not_found(client_for, school, other_school, school_admin):
    theirs = make_session(other_school)
    candidate = enrol(theirs, [PupilFactory(school=other_school).id]).enrolled[0]
    client = client_for(school_admin)
    assert client.post(url("candidate_remove", school, candidate_id=candidate.id)).status_code == 404
    assert client.get(url("enrolment", school, session_id=theirs.id)).status_code == 404
    assert Candidate.objects.exists()


@pytest.mark.django_db
def test_enrolment_page_query_count_is_fixed(client_for, session, division, school_admin):
    client = client_for(school_admin)
    page = url("enrolment", session.school, session_id=session.id)

    def add(count):
        pupils = PupilFactory.create_batch(count, school=session.school, division=division)
        position(pupils[0], school_admin, FIVE)
        enrol(session, [pupils[1].id])

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page, {"classe": division.id}).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        client.get(page, {"classe": division.id})
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_concurrent_enrolment_is_refused_whole(session, division, monkeypatch):
    from django.db import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("candidate_once_per_session")

    monkeypatch.setattr(Candidate.objects, "bulk_create", clash)
    with pytest.raises(EnrolmentRefused, match="au même moment"):
        enrol(session, [PupilFactory(school=session.school, division=division).id])
    assert not session.candidates.exists()


@pytest.mark.django_db
def test_a_pupil_already_in_another_open_session_is_enrolled_with_a_warning(session, division):
    pupil = PupilFactory(school=session.school, division=division, last_name="ROY", first_name="Léa")
    enrol(session, [pupil.id])
    other = make_session(session.school, date=datetime.date(2027, 5, 6))
    report = enrol(other, [pupil.id])
    assert len(report.enrolled) == 1
    assert report.elsewhere == [f"ROY Léa (session n° {session.number})"]
    assert report.messages()[-1] == ("warning", f"Déjà inscrit dans une autre session à venir : {report.elsewhere[0]}.")
