"""Closing a school year (its figures kept, its campaigns archived, its results readable) and starting the next."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certif.results import scoring
from orga.audit.models import AuditEvent
from orga.campaigns.services import create_campaign
from orga.models import Campaign, Participation
from pixdeploy import school_years
from pixdeploy.models import SchoolYearClosure

from .certif.helpers import make_session
from .certif.test_results import enrol, sit
from .checklist_helpers import checklist_items
from .factories import MembershipFactory, PupilFactory, SiecleImportFactory

D = datetime.date


def _on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def year_2026(school):
    school.school_year = "2026-2027"
    school.save()
    return school


def _campaign(school, owner, name, created_on):
    campaign = create_campaign(school=school, owner=owner, name=name, type="assessment", competence_codes=["1.1"])
    Campaign.objects.filter(id=campaign.id).update(created_at=_aware(created_on))
    return campaign


def _published_session(school, people):
    session = make_session(school, date=D(2027, 4, 8))
    session.status, session.finalised_at = "finalized", timezone.now()
    session.save()
    for last_name, answers in people:
        sit(enrol(session, last_name, "Prénom", "3e A"), answers)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    return session


# --- When a year may be closed -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_year_is_closable_from_1_june_once_every_session_is_finalised(monkeypatch, year_2026):
    _on(monkeypatch, D(2027, 5, 31))
    assert school_years.refusal(year_2026) == (
        "L'année 2026-2027 pourra être clôturée à partir du 01/06/2027, après la certification."
    )
    _on(monkeypatch, D(2027, 6, 1))
    assert school_years.refusal(year_2026) == ""
    make_session(year_2026, date=D(2027, 6, 10))
    make_session(year_2026, date=D(2027, 5, 10), room="Salle 2")
    make_session(year_2026, date=D(2026, 5, 10), room="Salle 3")  # last year's: not this one's business
    assert school_years.refusal(year_2026) == (
        "2 sessions de certification de l'année 2026-2027 ne sont pas finalisées : finalisez-les ou supprimez-les "
        "avant de clôturer l'année."
    )
    with pytest.raises(school_years.YearNotClosable):
        school_years.close_year(year_2026, None)
    assert not SchoolYearClosure.objects.exists()
    assert year_2026.school_year == "2026-2027"


# --- What closing does -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_keeps_the_figures_archives_the_years_campaigns_and_opens_the_next(
    monkeypatch, year_2026, school_admin, teacher
):
    _on(monkeypatch, D(2027, 6, 20))
    pupils = PupilFactory.create_batch(4, school=year_2026)
    rentree = _campaign(year_2026, school_admin, "Rentrée 4e", D(2026, 9, 10))
    for pupil, status in zip(pupils, ["shared", "shared", "started"], strict=False):
        Participation.objects.create(campaign=rentree, pupil=pupil, status=status)
    older = _campaign(year_2026, school_admin, "Rentrée 2025", D(2025, 9, 10))
    Campaign.objects.filter(id=older.id).update(archived_at=_aware(D(2026, 6, 30)))
    _published_session(year_2026, [("MARTIN", ["ok", "ko"] * 16), ("DURAND", ["ok"] * 5)])

    closure = school_years.close_year(year_2026, school_admin)

    assert closure.school_year == "2026-2027" and closure.closed_by == school_admin
    summary = closure.summary
    assert summary["pupils"] == 6 and summary["campaigns"] == 1  # 4 pupils and the 2 candidates
    assert summary["participants"] == 3 and summary["shared"] == 2
    assert summary["sessions"] == 1 and summary["certified"] == 2 and summary["validated"] == 1
    assert summary["handed_over"] is False
    assert summary["checklist_items"] > 0
    rentree.refresh_from_db()
    assert rentree.archived_at is not None
    # An already archived campaign keeps its date; nothing is deleted.
    assert Campaign.objects.get(id=older.id).archived_at == _aware(D(2026, 6, 30))
    assert Participation.objects.count() == 3
    year_2026.refresh_from_db()
    assert year_2026.school_year == "2027-2028"
    assert year_2026.pupils.filter(is_active=True).count() == 6  # until the next list is imported
    # The next year is not closable before its own 1 June.
    assert school_years.refusal(year_2026).startswith("L'année 2027-2028 pourra être clôturée à partir du 01/06/2028")


@pytest.mark.django_db
def test_a_year_closed_late_keeps_the_new_years_campaigns_open(monkeypatch, year_2026, school_admin):
    _on(monkeypatch, D(2027, 9, 15))
    last_year = _campaign(year_2026, school_admin, "Rentrée 2026", D(2026, 9, 10))
    this_year = _campaign(year_2026, school_admin, "Rentrée 2027", D(2027, 9, 5))
    assert school_years.is_behind(year_2026)
    closure = school_years.close_year(year_2026, school_admin)
    assert closure.summary["campaigns"] == 1
    assert Campaign.objects.get(id=last_year.id).archived_at is not None
    assert Campaign.objects.get(id=this_year.id).archived_at is None
    year_2026.refresh_from_db()
    assert year_2026.school_year == "2027-2028" and not school_years.is_behind(year_2026)


@pytest.mark.django_db
def test_the_next_year_starts_with_a_new_pupils_list(monkeypatch, year_2026, school_admin):
    _on(monkeypatch, D(2027, 6, 20))
    last = SiecleImportFactory(school=year_2026, pupils=3)
    type(last).objects.filter(id=last.id).update(created_at=_aware(D(2026, 9, 2)), finished_at=_aware(D(2026, 9, 2)))
    school_years.close_year(year_2026, school_admin)

    _on(monkeypatch, D(2027, 9, 3))
    assert not checklist_items(year_2026)["Importer la liste des élèves"].done
    new = SiecleImportFactory(school=year_2026, pupils=5)
    type(new).objects.filter(id=new.id).update(created_at=_aware(D(2027, 9, 3)), finished_at=_aware(D(2027, 9, 3)))
    item = checklist_items(year_2026)["Importer la liste des élèves"]
    assert item.done and item.detail == "Liste importée le 03/09/2027 : 5 élèves"


# --- Pages -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_closes_the_year_after_a_confirmation_and_reads_it_afterwards(
    monkeypatch, client_for, year_2026, school_admin
):
    _on(monkeypatch, D(2027, 6, 20))
    _published_session(year_2026, [("MARTIN", ["ok", "ko"] * 16)])
    client = client_for(school_admin)
    years_url = reverse("school_years", kwargs={"uai": year_2026.uai})
    close_url = reverse("close_school_year", kwargs={"uai": year_2026.uai})

    home = client.get(reverse("home")).content.decode()
    assert "l'année 2026-2027 peut être clôturée" in home
    page = client.get(years_url).content.decode()
    assert "Aucune année clôturée pour l'instant." in page and close_url in page
    confirm = client.get(close_url).content.decode()
    assert "1 certification validée" in confirm and "pixdeploy passe à l'année 2027-2028" in confirm
    assert not SchoolYearClosure.objects.exists()  # a GET closes nothing

    response = client.post(close_url, follow=True)
    page = response.content.decode()
    assert "L&#x27;année 2026-2027 est clôturée" in page
    (closed,) = AuditEvent.objects.filter(action=AuditEvent.Action.SCHOOL_YEAR_CLOSED)
    assert (closed.actor, closed.school, closed.target_label) == (school_admin, year_2026, "2026-2027")
    assert "importez la liste des élèves de la rentrée" in page
    assert "Année 2026-2027" in page and "?annee=2026-2027" in page
    # A second submission (a double click) closes nothing more.
    client.post(close_url)
    assert SchoolYearClosure.objects.count() == 1

    # The closed year's certification results stay readable.
    _on(monkeypatch, D(2027, 9, 20))
    results = client.get(reverse("certif:results_by_class", kwargs={"uai": year_2026.uai}) + "?annee=2026-2027")
    assert results.status_code == 200 and "MARTIN" in results.content.decode()
    this_year = client.get(reverse("certif:results_by_class", kwargs={"uai": year_2026.uai})).content.decode()
    assert "MARTIN" not in this_year


@pytest.mark.django_db
def test_a_refused_closing_says_why_and_changes_nothing(monkeypatch, client_for, year_2026, school_admin):
    _on(monkeypatch, D(2027, 3, 1))
    client = client_for(school_admin)
    response = client.post(reverse("close_school_year", kwargs={"uai": year_2026.uai}), follow=True)
    assert "pourra être clôturée à partir du 01/06/2027" in response.content.decode()
    assert not SchoolYearClosure.objects.exists()


@pytest.mark.django_db
def test_a_school_that_did_not_close_its_year_is_told_on_its_home(monkeypatch, client_for, year_2026, school_admin):
    _on(monkeypatch, D(2027, 9, 2))
    home = client_for(school_admin).get(reverse("home")).content.decode()
    assert "L'année 2026-2027 n'est pas clôturée" in home
    assert "Année 2027-2028" in home


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["school_years", "close_school_year"])
def test_only_the_schools_admins_reach_the_years(client_for, school, school_admin, teacher, other_school, name):
    url = reverse(name, kwargs={"uai": school.uai})
    assert client_for(school_admin).get(url).status_code in (200, 302)
    assert client_for(teacher).get(url).status_code == 403
    other_admin = MembershipFactory(school=other_school, role="admin").user
    assert client_for(other_admin).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert client_for(teacher).post(url).status_code == 403
    assert not SchoolYearClosure.objects.exists()


def test_a_years_summary_counts_in_french():
    from django.template.loader import render_to_string

    summary = {
        "pupils": 2,
        "divisions": 1,
        "campaigns": 0,
        "participants": 3,
        "shared": 2,
        "sessions": 0,
        "certified": 0,
        "validated": 0,
        "handed_over": False,
        "checklist_steps_done": 0,
        "checklist_items_done": 1,
        "checklist_items": 19,
    }
    page = render_to_string("pixdeploy/_year_summary.html", {"summary": summary})
    assert "2 élèves ont envoyé leurs résultats" in page
    assert "Check-list : 0 étape sur 6, 1 action sur 19" in page
    page = render_to_string("pixdeploy/_year_summary.html", {"summary": {**summary, "shared": 1}})
    assert "1 élève a envoyé ses résultats" in page
