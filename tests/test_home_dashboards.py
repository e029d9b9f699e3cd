"""The role dashboards of the home page (issue 12, item 4): the pupil's certification and years, the teacher's
classes' certification, the way to the invigilator's space on the day of a session."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certif.results.models import CertificationResult
from certif.sessions.models import Candidate, Invigilator, Session

from .certif.helpers import enrol_pupil, make_session, position
from .factories import DivisionFactory, MembershipFactory, SchoolFactory, UserFactory

TODAY = datetime.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def on_4_december_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def _published(candidate, *, status="validated", code="PABC1234"):
    Session.objects.filter(id=candidate.session_id).update(
        date=datetime.date(2026, 11, 20), status=Session.Status.PROCESSED, published_at=timezone.now()
    )
    return CertificationResult.objects.create(
        candidate=candidate,
        status=status,
        pix_score=412,
        level=4,
        level_label="Indépendant 2",
        competence_levels={"1.1": 3},
        verification_code=code,
    )


@pytest.fixture
def third_a(school):
    return DivisionFactory(school=school, name="3e A")


def _query_count(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    return len(queries)


def _home(client_for, user):
    return client_for(user).get(reverse("home")).content.decode()


# --- The pupil ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pupil_sees_the_convocation_of_an_upcoming_session(client_for, school, third_a):
    session = make_session(school, date=datetime.date(2027, 4, 8), room="Salle <b>104</b>")
    candidate = enrol_pupil(session, "MARTIN", "Léa", third_a, username="lea", extra=33)
    html = _home(client_for, candidate.pupil.user)
    assert "Convocation : session du jeudi 8 avril 2027" in html
    assert "début à 09:00, présentez-vous à 08:45" in html
    assert "Salle &lt;b&gt;104&lt;/b&gt;" in html and "12 rue des Écoles" in html
    assert "33 % de temps supplémentaire" in html
    assert "À apporter" in html
    assert "Commencer ma certification" not in html
    assert reverse("certif:my_results") in html
    assert 'action="' + reverse("orga:enter_code") + '"' in html  # enter a campaign code from home


@pytest.mark.django_db
def test_on_the_day_the_pupil_is_sent_to_the_arrival_page(client_for, school, third_a):
    session = make_session(school, date=TODAY)
    candidate = enrol_pupil(session, "MARTIN", "Léa", third_a, username="lea")
    html = _home(client_for, candidate.pupil.user)
    assert "Votre session de certification, c'est aujourd'hui" in html
    assert f'href="{reverse("certif:arrival")}">Commencer ma certification' in html
    # the convocation comes before the campaign code on the day
    assert html.index("Commencer ma certification") < html.index("Code du parcours")


@pytest.mark.django_db
def test_pupil_sees_a_published_result_and_its_attestation_but_not_an_unpublished_one(client_for, school, third_a):
    session = make_session(school, date=datetime.date(2027, 4, 8))
    candidate = enrol_pupil(session, "MARTIN", "Léa", third_a, username="lea")
    CertificationResult.objects.create(candidate=candidate, status="validated", pix_score=412, level=4)
    Session.objects.filter(id=session.id).update(date=datetime.date(2026, 11, 20), status=Session.Status.IN_PROCESS)
    html = _home(client_for, candidate.pupil.user)
    assert "412 pix" not in html and "Convocation" not in html
    assert "aucun résultat n'est publié" in html

    CertificationResult.objects.filter(candidate=candidate).delete()
    _published(candidate)
    html = _home(client_for, candidate.pupil.user)
    assert "Résultat de la session du 20 novembre 2026" in html
    assert "412 pix · niveau Indépendant 2" in html
    attestation = reverse("certif:my_attestation", kwargs={"candidate_id": candidate.id})
    assert attestation in html


@pytest.mark.django_db
def test_pupil_sees_their_profile_year_by_year(client_for, school, school_admin, pupil):
    position(pupil.pupil, school_admin, {"1.1": 2, "1.2": 1}, on=datetime.date(2025, 10, 5))
    position(pupil.pupil, school_admin, {"1.1": 3, "2.1": 4, "3.1": 1}, on=datetime.date(2026, 10, 5))
    html = _home(client_for, pupil)
    rows = html[html.index("Mon profil, année après année") :]
    assert rows.index("2026-2027") < rows.index("2025-2026")
    assert "<td>2026-2027</td><td>3 sur 16</td><td>64</td><td>4</td>" in html
    assert "<td>2025-2026</td><td>2 sur 16</td><td>24</td><td>2</td>" in html
    assert "Vous n'êtes inscrit·e à aucune session" in html


def _candidacy(session, pupil):
    return Candidate.objects.create(
        session=session,
        pupil=pupil,
        ine=pupil.ine,
        last_name=pupil.last_name,
        first_name=pupil.first_name,
        birthdate=datetime.date(2012, 5, 3),
        division_name="3e A",
    )


@pytest.mark.django_db
def test_pupil_home_query_count_does_not_grow(client_for, school, school_admin, third_a):
    candidate = enrol_pupil(
        make_session(school, date=datetime.date(2027, 4, 8)), "MARTIN", "Léa", third_a, username="lea"
    )
    pupil = candidate.pupil
    position(pupil, school_admin, {"1.1": 2}, on=datetime.date(2025, 10, 5))
    _published(_candidacy(make_session(school, date=datetime.date(2027, 4, 9)), pupil))
    client = client_for(pupil.user)
    before = _query_count(client)
    for day, code in ((10, "PABC2222"), (12, "PABC3333")):
        _published(_candidacy(make_session(school, date=datetime.date(2027, 4, day)), pupil), code=code)
        _candidacy(make_session(school, date=datetime.date(2027, 5, day)), pupil)
    position(pupil, school_admin, {"2.1": 2}, on=datetime.date(2024, 10, 5))
    assert _query_count(client) == before


# --- The teacher -------------------------------------------------------------------------------------


def _teacher_of(teacher, school, division):
    school.teachers_restricted_to_assigned_classes = True
    school.save()
    membership = teacher.memberships.get()
    membership.divisions.add(division)
    membership.assigned_divisions.add(division)


@pytest.mark.django_db
def test_teacher_sees_their_classes_candidates_and_published_results_only(client_for, school, teacher, third_a):
    third_b = DivisionFactory(school=school, name="3e B")
    _teacher_of(teacher, school, third_a)
    session = make_session(school, date=datetime.date(2027, 4, 8), room="Salle 12")
    enrol_pupil(session, "MARTIN", "Léa", third_a)
    enrol_pupil(session, "DURAND", "Tom", third_a)
    enrol_pupil(session, "PETIT", "Zoé", third_b)
    past = make_session(school, date=datetime.date(2027, 4, 9))
    _published(enrol_pupil(past, "MOREAU", "Ana", third_a))
    _published(enrol_pupil(past, "LEROY", "Jules", third_b), code="PABC9999")
    elsewhere = SchoolFactory(name="Collège Ailleurs")
    enrol_pupil(
        make_session(elsewhere, date=datetime.date(2027, 4, 8)),
        "AUTRE",
        "Ève",
        DivisionFactory(school=elsewhere, name="3e A"),
    )

    html = _home(client_for, teacher)
    section = html[html.index("La certification de mes classes") :]
    assert "<td>3e A</td>" in section and "<td>2 candidats</td>" in section
    assert "3e B" not in section and "AUTRE" not in section
    assert "1 résultat publié pour 1 classe, dont 1 certification validée (Indépendant 2 : 1)." in section
    assert reverse("certif:results_by_class", kwargs={"uai": school.uai}) in section


@pytest.mark.django_db
def test_teacher_home_query_count_does_not_grow_with_candidates(client_for, school, teacher, third_a):
    _teacher_of(teacher, school, third_a)
    session = make_session(school, date=datetime.date(2027, 4, 8))
    enrol_pupil(session, "MARTIN", "Léa", third_a)
    client = client_for(teacher)
    before = _query_count(client)
    other = make_session(school, date=datetime.date(2027, 4, 9))
    for name in ("A", "B", "C"):
        enrol_pupil(other, name, "Prénom", third_a)
        enrol_pupil(session, name, "Prénom", DivisionFactory(school=school, name=f"3e {name}"))
    _published(enrol_pupil(make_session(school, date=datetime.date(2027, 4, 10)), "D", "E", third_a))
    assert _query_count(client) == before


# --- The invigilator's entry -------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_find_the_invigilator_space_on_the_day_of_a_session(client_for, school, teacher, school_admin):
    sign_in = reverse("certif:invigilator_sign_in")
    assert f'href="{sign_in}"' in _home(client_for, None)  # the footer, for whoever invigilates
    assert "Certification aujourd'hui" not in _home(client_for, teacher)

    session = make_session(school, date=TODAY, room="Salle 7")
    Invigilator.objects.create(session=session, name="Enseignant", user=teacher)
    html = _home(client_for, teacher)
    today = html[html.index("Certification aujourd'hui") :]
    assert f"Session n° {session.number} à 09:00" in today and "vous la surveillez" in today
    assert f'href="{sign_in}"' in today
    html = _home(client_for, school_admin)
    today = html[html.index("Certification aujourd'hui") :]
    assert "vous la surveillez" not in today and f'href="{sign_in}"' in today

    other_school_teacher = MembershipFactory(school=SchoolFactory(), role="member", user=UserFactory()).user
    assert "Certification aujourd'hui" not in _home(client_for, other_school_teacher)
    assert client_for(teacher).get(sign_in).status_code == 200
