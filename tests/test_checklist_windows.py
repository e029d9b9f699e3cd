"""The checklist's windows: each step's dates in the school year, from the school calendar of the school's zone
(derived from its académie) and the national certification window, and its state today."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pixdeploy import checklist
from pixdeploy.models import SchoolCalendar
from pixdeploy.windows import State, state_of
from pixdeploy.zones import zone_of

from .factories import SiecleImportFactory, UserFactory

D = datetime.date


def _on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def _windows(school):
    return {step.number: (step.starts_on, step.ends_on) for step in checklist.checklist_for(school)}


def _states(school):
    return {step.number: step.state for step in checklist.checklist_for(school)}


# --- Zones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "academie, zone",
    [
        ("Lyon", "A"),
        ("Clermont-Ferrand", "A"),
        ("Académie de Bordeaux", "A"),
        ("Aix-Marseille", "B"),
        ("orléans tours", "B"),
        ("Académie d'Orléans-Tours", "B"),
        ("Normandie", "B"),
        ("Rouen", "B"),
        ("Paris", "C"),
        ("CRÉTEIL", "C"),
        ("Versailles", "C"),
        ("Corse", None),
        ("La Réunion", None),
        ("", None),
        (None, None),
    ],
)
def test_the_zone_is_derived_from_the_academie(academie, zone):
    assert zone_of(academie) == zone


# --- Windows ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_zone_moves_the_preparation_of_the_3e(monkeypatch, school):
    _on(monkeypatch, D(2026, 12, 4))
    ends = {}
    for academie in ("Lyon", "Nantes", "Paris"):
        school.academie = academie
        school.save()
        ends[academie] = _windows(school)[5][1]
    assert ends == {"Lyon": D(2027, 2, 12), "Nantes": D(2027, 2, 19), "Paris": D(2027, 2, 5)}


@pytest.mark.parametrize(
    "school_type, academie, today, expected",
    [
        (
            "college",
            "Lyon",
            D(2025, 9, 15),
            {
                1: (D(2025, 8, 29), D(2025, 10, 17)),
                2: (D(2025, 8, 29), D(2025, 10, 17)),
                3: (D(2025, 8, 29), D(2025, 10, 17)),
                4: (D(2025, 11, 3), D(2025, 12, 19)),
                5: (D(2026, 1, 5), D(2026, 2, 6)),  # zone A's winter holidays start on 7 February 2026
                6: (D(2026, 3, 16), D(2026, 6, 13)),  # the 3e's national window
            },
        ),
        (
            "college",
            "Paris",
            D(2026, 12, 4),
            {
                1: (D(2026, 8, 31), D(2026, 10, 16)),
                4: (D(2026, 11, 2), D(2026, 12, 18)),
                5: (D(2027, 1, 4), D(2027, 2, 5)),  # zone C's winter holidays start on 6 February 2027
                6: (D(2027, 3, 15), D(2027, 6, 11)),
            },
        ),
        (
            "lycee",
            "Lyon",
            D(2025, 9, 15),
            {
                1: (D(2025, 8, 29), D(2025, 10, 17)),
                4: (D(2025, 11, 3), D(2025, 12, 19)),
                # The Terminales sit the certification from November: it is prepared from the pre-rentrée.
                5: (D(2025, 8, 29), D(2025, 11, 2)),
                6: (D(2025, 11, 3), D(2026, 3, 6)),
            },
        ),
        (
            "lycee_pro",
            "Versailles",
            D(2026, 12, 4),
            {
                1: (D(2026, 8, 31), D(2026, 10, 16)),
                4: (D(2026, 11, 2), D(2026, 12, 18)),
                5: (D(2026, 8, 31), D(2026, 11, 1)),
                6: (D(2026, 11, 2), D(2027, 3, 5)),
            },
        ),
    ],
)
@pytest.mark.django_db
def test_windows_of_both_school_types_in_both_years(monkeypatch, school, school_type, academie, today, expected):
    _on(monkeypatch, today)
    school.type, school.academie = school_type, academie
    school.save()
    windows = _windows(school)
    assert {number: windows[number] for number in expected} == expected


@pytest.mark.django_db
def test_without_a_zone_the_earliest_winter_holidays_are_taken(monkeypatch, school):
    _on(monkeypatch, D(2026, 12, 4))
    school.academie = "Corse"
    school.save()
    assert _windows(school)[5] == (D(2027, 1, 4), D(2027, 2, 5))  # zone C's, the earliest in 2026-2027


@pytest.mark.django_db
def test_a_calendar_corrected_by_a_superuser_moves_the_windows(monkeypatch, school):
    _on(monkeypatch, D(2026, 12, 4))
    SchoolCalendar.objects.filter(school_year="2026-2027", zone="A").update(winter_starts=D(2027, 2, 20))
    assert _windows(school)[5] == (D(2027, 1, 4), D(2027, 2, 19))  # the school is in Lyon


@pytest.mark.django_db
def test_a_year_without_calendar_keeps_the_usual_periods(monkeypatch, school):
    _on(monkeypatch, D(2030, 12, 4))
    steps = checklist.checklist_for(school)
    assert [(s.starts_on, s.ends_on, s.state) for s in steps] == [(None, None, None)] * 6
    assert steps[0].period_label == "Pré-rentrée → vacances de la Toussaint"


# --- States -----------------------------------------------------------------------------------------


def test_each_state_from_the_window_and_today():
    starts, ends = D(2026, 11, 2), D(2026, 12, 18)
    assert state_of(False, starts, ends, D(2026, 11, 1)) == State.UPCOMING
    assert state_of(False, starts, ends, starts) == State.CURRENT
    assert state_of(False, starts, ends, ends) == State.CURRENT
    assert state_of(False, starts, ends, D(2026, 12, 19)) == State.OVERDUE
    assert state_of(True, starts, ends, D(2026, 12, 19)) == State.DONE
    assert state_of(True, starts, ends, D(2026, 11, 1)) == State.DONE
    assert state_of(False, None, None, D(2026, 11, 1)) is None


@pytest.mark.django_db
def test_the_states_of_a_collège_on_4_december_2026(monkeypatch, school, school_admin):
    _on(monkeypatch, D(2026, 12, 4))
    states = _states(school)
    assert states[1] == State.OVERDUE  # nobody signed in, no pupils imported
    assert states[4] == State.CURRENT
    assert states[5] == State.UPCOMING
    assert states[6] == State.UPCOMING
    school_admin.last_login = school_admin.date_joined
    school_admin.save()
    SiecleImportFactory(school=school, pupils=1)
    assert _states(school)[1] == State.DONE


@pytest.mark.django_db
def test_the_home_page_shows_the_states_in_words(monkeypatch, client_for, school, school_admin):
    _on(monkeypatch, D(2026, 12, 4))
    html = client_for(school_admin).get(reverse("home")).content.decode()
    assert 'data-step="1" data-state="en_retard"' in html
    assert '<span class="fr-badge fr-badge--error fr-badge--sm">En retard</span>' in html
    assert "Cette étape devait être faite avant le 16 octobre 2026." in html
    assert 'data-step="4" data-state="en_cours"' in html
    assert "Étape du moment : à faire d'ici le 18 décembre 2026." in html
    assert '<span class="fr-badge fr-badge--info fr-badge--sm">À venir</span>' in html
    assert "du 04/01/2027 au 12/02/2027" in html  # step 5, zone A (Lyon)
    assert "Académie de Lyon (zone A)" in html


# --- Administration ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_a_superuser_edits_the_calendar_in_the_admin(client_for, superuser, school_admin):
    calendar = SchoolCalendar.objects.get(school_year="2026-2027", zone="B")
    change = f"/admin/pixdeploy/schoolcalendar/{calendar.id}/change/"
    data = {
        "school_year": "2026-2027",
        "zone": "B",
        "pre_rentree": "2026-08-31",
        "toussaint_starts": "2026-10-17",
        "toussaint_ends": "2026-11-02",
        "christmas_starts": "2026-12-19",
        "christmas_ends": "2027-01-04",
        "winter_starts": "2027-02-27",
        "winter_ends": "2027-03-15",
    }
    assert client_for(superuser).post(change, data).status_code == 302
    calendar.refresh_from_db()
    assert calendar.winter_starts == D(2027, 2, 27)
    # Dates out of order: a French message, nothing written.
    response = client_for(superuser).post(change, data | {"christmas_starts": "2026-10-01"})
    assert "Les dates doivent se suivre" in response.content.decode()
    calendar.refresh_from_db()
    assert calendar.christmas_starts == D(2026, 12, 19)
    assert client_for(school_admin).get(change).status_code == 302  # not staff: the admin's sign-in page
    staff = UserFactory(username="staff", is_staff=True)
    assert client_for(staff).get(change).status_code == 403
    assert client_for(staff).get("/admin/pixdeploy/schoolcalendar/").status_code == 403
