"""The académie view: who sees which schools, each school's figures, the background report and its exports."""

import csv
import datetime
import io
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certif.candidates.enrolment import enrol
from certif.models import HandOver, Session
from jobs.maintenance import fail_stale_jobs
from orga.campaigns.services import create_campaign
from orga.models import Campaign, Participation, School
from pixdeploy import academie, academie_exports, checklist
from pixdeploy.models import AcademieReferent, AcademieReport, AcademieReportRow
from pixdeploy.tasks import build_academie_report
from pixdeploy.windows import State

from .certif.helpers import make_session
from .factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory

HOSTILE = '=HYPERLINK("https://exemple.invalid";"Cliquez")'


@pytest.fixture(autouse=True)
def on_4_december_2026(monkeypatch):
    """Today is 4 December 2026 (school year 2026-2027), whenever the suite runs."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))


def referent(username, *academies):
    user = UserFactory(username=username)
    for name in academies:
        AcademieReferent.objects.create(user=user, academie=name)
    return user


@pytest.fixture
def lyon_referent(db):
    return referent("referent.lyon", "Lyon")


@pytest.fixture
def paris_referent(db):
    return referent("referent.paris", "Paris")


@pytest.fixture
def paris_school(db):
    return SchoolFactory(name="Collège Colette", academie="Paris")


def computed(key=""):
    """A report of the académie `key` ("" every school), computed in-process as the worker would."""
    job = AcademieReport.objects.create(academie=key)
    academie.process_report(job.id)
    job.refresh_from_db()
    assert job.status == AcademieReport.Status.DONE, job.error
    return job


def lived_in(school, owner):
    """Pupils imported, two campaigns, participations, an open session and a published one with a hand-over."""
    third = DivisionFactory(school=school, name="3e A")
    fourth = DivisionFactory(school=school, name="4e A")
    thirds = PupilFactory.create_batch(4, school=school, division=third)  # MEF 103…: 3e
    fourths = PupilFactory.create_batch(2, school=school, division=fourth, mef_code="10210001110")
    PupilFactory(school=school, division=third, is_active=False)  # left, without taking part: counted nowhere
    first, second = (
        create_campaign(school=school, owner=owner, name=name, type="assessment", competence_codes=["1.1"])
        for name in ("Rentrée 3e", "Rentrée 4e")
    )
    Participation.objects.create(campaign=first, pupil=thirds[0], status="shared")
    Participation.objects.create(campaign=second, pupil=thirds[0], status="shared")  # counted once
    Participation.objects.create(campaign=first, pupil=thirds[1], status="shared")
    Participation.objects.create(campaign=second, pupil=fourths[0])  # started, not sent
    enrol(make_session(school), [thirds[0].id, thirds[1].id, fourths[1].id])
    published = make_session(school, date=datetime.date(2027, 3, 2), room="Salle 110")
    Session.objects.filter(id=published.id).update(status=Session.Status.PROCESSED)
    make_session(school, date=datetime.date(2026, 3, 2), room="Salle 111")  # last school year: not counted
    last_year = create_campaign(school=school, owner=owner, name="2025", type="assessment", competence_codes=["1.1"])
    Campaign.objects.filter(id=last_year.id).update(created_at=timezone.make_aware(datetime.datetime(2026, 3, 2)))
    Participation.objects.create(campaign=last_year, pupil=fourths[1], status="shared")  # last year's: not counted
    HandOver.objects.create(school=school, kind="export_csv", school_year="2026-2027")


# --- Who sees what ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    client = client_for(None)
    for url in (reverse("academie"), reverse("academie_export", kwargs={"file_format": "csv"})):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_school_staff_and_pupils_get_a_403(client_for, school_admin, teacher, pupil):
    for user in (school_admin, teacher, pupil):
        client = client_for(user)
        assert client.get(reverse("academie")).status_code == 403
        assert client.post(reverse("academie_recompute"), {"academie": "lyon"}).status_code == 403
        assert client.get(reverse("academie_export", kwargs={"file_format": "csv"})).status_code == 403
    assert not AcademieReport.objects.exists()


@pytest.mark.django_db
def test_a_superuser_sees_every_school_and_filters_by_academie(client_for, superuser, school, paris_school):
    computed()
    page = client_for(superuser).get(reverse("academie")).content.decode()
    assert school.name in page and paris_school.name in page
    assert "toutes les académies" in page
    page = client_for(superuser).get(reverse("academie"), {"academie": "paris"}).content.decode()
    assert paris_school.name in page and school.name not in page


@pytest.mark.django_db
def test_a_referent_sees_only_the_schools_of_their_academie(
    client_for, lyon_referent, paris_referent, school, paris_school
):
    computed()  # a superuser's report of every school: each referent reads their part of it
    page = client_for(lyon_referent).get(reverse("academie")).content.decode()
    assert school.name in page and paris_school.name not in page
    assert "Établissements de l'académie de Lyon" in page
    page = client_for(paris_referent).get(reverse("academie")).content.decode()
    assert paris_school.name in page and school.name not in page


@pytest.mark.django_db
def test_an_academie_is_one_however_the_schools_spell_it(client_for, lyon_referent, superuser, school):
    spelled = SchoolFactory(name="Lycée du Parc", academie="Académie de LYON")
    SchoolFactory(name="Lycée Ampère", academie="")  # no académie: in the table of every school only
    report = computed("lyon")
    assert sorted(report.rows.values_list("name", flat=True)) == [school.name, spelled.name]
    page = client_for(lyon_referent).get(reverse("academie")).content.decode()
    assert school.name in page and spelled.name in page and "Lycée Ampère" not in page
    page = client_for(superuser).get(reverse("academie")).content.decode()
    assert '<option value="lyon">Lyon</option>' in page and page.count('<option value="lyon"') == 1


@pytest.mark.django_db
def test_another_academie_is_a_404_to_a_referent(client_for, paris_referent, school):
    job = computed("lyon")
    client = client_for(paris_referent)
    assert client.get(reverse("academie"), {"academie": "lyon"}).status_code == 404
    assert client.get(reverse("academie"), {"academie": ""}).status_code == 404  # every school: a superuser's
    assert client.post(reverse("academie_recompute"), {"academie": "lyon"}).status_code == 404
    assert client.get(reverse("academie_job", kwargs={"job_id": job.id})).status_code == 404
    url = reverse("academie_job_rescue", kwargs={"job_id": job.id, "action": "discard"})
    assert client.post(url).status_code == 404
    export = reverse("academie_export", kwargs={"file_format": "csv"})
    assert client.get(export, {"academie": "lyon"}).status_code == 404


@pytest.mark.django_db
def test_the_home_of_a_referent_without_a_school_leads_to_the_view(client_for, lyon_referent):
    client = client_for(lyon_referent)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("academie")
    page = client.get(reverse("academie")).content.decode()
    assert f'href="{reverse("academie")}"' in page  # in the navigation


@pytest.mark.django_db
def test_the_navigation_links_the_view_for_superusers_only_among_staff(client_for, superuser, school_admin):
    link = f'href="{reverse("academie")}"'
    assert link in client_for(superuser).get(reverse("home")).content.decode()
    assert link not in client_for(school_admin).get(reverse("home")).content.decode()


# --- The figures --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_schools_row_tells_its_checklist_participation_and_certification(school, school_admin):
    lived_in(school, school_admin)
    lycee = SchoolFactory(name="Lycée Ampère", type=School.Type.LYCEE)
    enrol(make_session(lycee), [PupilFactory(school=lycee, mef_code="").id])
    steps = checklist.checklist_for(school)
    progress = checklist.year_progress(steps)

    report = computed("lyon")
    row = report.rows.get(uai=school.uai)
    assert (row.name, row.type, row.academie) == (school.name, "college", "Lyon")
    assert (row.items_done, row.items, row.steps_done, row.steps) == (
        progress.items_done,
        progress.items,
        progress.steps_done,
        6,
    )
    assert row.checklist_percent == progress.percent and row.items_done >= 4  # signed in, imported, campaigns…
    assert row.overdue_steps == sum(step.state == State.OVERDUE for step in steps)
    assert row.overdue_steps >= 1  # on 4 December, step 2 (ticked by hand only) is late
    assert (row.pupils, row.started, row.started_percent, row.shared, row.shared_percent) == (6, 3, 50, 2, 33)
    assert (row.candidates, row.grade_enrolled, row.grade_pupils) == (3, 2, 4)
    assert (row.published_sessions, row.handed_over) == (1, True)
    other = report.rows.get(uai=lycee.uai)
    assert (other.candidates, other.grade_pupils, other.grade_enrolled, other.pupils) == (1, None, None, 1)
    assert (other.started_percent, other.published_sessions, other.handed_over) == (0, 0, False)
    assert report.school_count == 2 and report.school_year == "2026-2027"


@pytest.mark.django_db
def test_a_hand_over_before_any_published_result_is_not_counted(school):
    HandOver.objects.create(school=school, kind="api_pull", school_year="2026-2027")
    assert not computed().rows.get().handed_over


@pytest.mark.django_db
def test_the_page_shows_the_figures_and_the_date(client_for, superuser, school, school_admin):
    lived_in(school, school_admin)
    computed()
    page = client_for(superuser).get(reverse("academie")).content.decode()
    assert "État au " in page and "Recalculer" in page
    assert "50 % (3)" in page and "33 % (2)" in page and "2 / 4 élèves de 3e" in page


# --- The background report ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_run_twice_the_report_has_the_same_rows(school, school_admin, paris_school):
    lived_in(school, school_admin)
    job = computed()

    def rows():
        return list(AcademieReportRow.objects.filter(report=job).order_by("uai").values())

    first = rows()
    assert len(first) == 2
    assert build_academie_report.apply(args=[job.id]).get() == "done"  # delivered again: nothing redone
    # Its runner died mid-way (no heartbeat for long): the next delivery redoes it whole.
    long_ago = timezone.now() - datetime.timedelta(days=1)
    AcademieReport.objects.filter(id=job.id).update(status="running", heartbeat_at=long_ago)
    assert build_academie_report.apply(args=[job.id]).get() == "done"
    second = rows()
    assert [{**row, "id": 0} for row in second] == [{**row, "id": 0} for row in first]


@pytest.mark.django_db
def test_recompute_queues_one_job_and_a_second_click_reuses_it(
    client_for, lyon_referent, school, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(academie, "queue_on_commit", lambda name, job_id: queued.append((name, job_id)))
    client = client_for(lyon_referent)
    response = client.post(reverse("academie_recompute"), {"academie": "lyon"})
    assert response.status_code == 302
    job = AcademieReport.objects.get()
    assert (job.academie, job.requested_by, job.status) == ("lyon", lyon_referent, "queued")
    assert queued == [("pixdeploy.build_academie_report", job.id)]
    client.post(reverse("academie_recompute"), {"academie": "lyon"})
    assert AcademieReport.objects.count() == 1 and len(queued) == 1
    page = client.get(reverse("academie")).content.decode()
    assert "Calcul du tableau en cours" in page and 'hx-trigger="every 2s"' in page
    status = client.get(reverse("academie_job", kwargs={"job_id": job.id}), headers={"HX-Request": "true"})
    assert 'hx-get="' in status.content.decode()
    academie.process_report(job.id)
    ended = client.get(reverse("academie_job", kwargs={"job_id": job.id}), headers={"HX-Request": "true"})
    assert ended.headers["HX-Refresh"] == "true"
    assert school.name in client.get(reverse("academie")).content.decode()


@pytest.mark.django_db
def test_a_recompute_is_computed_once_committed(
    client_for, superuser, school, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(superuser).post(reverse("academie_recompute"), {"academie": ""})
    job = AcademieReport.objects.get()
    assert job.status == "done" and job.rows.get().uai == school.uai


@pytest.mark.django_db
def test_a_crashed_worker_does_not_leave_the_report_running(client_for, superuser, school):
    job = AcademieReport.objects.create(academie="lyon")
    long_ago = timezone.now() - datetime.timedelta(days=1)
    AcademieReport.objects.filter(id=job.id).update(status="running", started_at=long_ago, heartbeat_at=long_ago)
    assert fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.interrupted
    client = client_for(superuser)
    page = client.get(reverse("academie"), {"academie": "lyon"}).content.decode()
    assert "Le dernier calcul a été interrompu" in page and "Relancer le calcul" in page
    client.post(reverse("academie_job_rescue", kwargs={"job_id": job.id, "action": "discard"}))
    job.refresh_from_db()
    assert job.status == "failed" and not job.interrupted


@pytest.mark.django_db
def test_the_page_runs_the_same_queries_whatever_the_number_of_schools(client_for, superuser, lyon_referent):
    counts = {superuser: [], lyon_referent: []}
    for extra in (3, 9):  # 3 schools, then 12
        for _ in range(extra):
            PupilFactory(school=SchoolFactory(type=School.Type.LYCEE if extra == 9 else School.Type.COLLEGE))
        report = computed()
        for user, user_counts in counts.items():
            client = client_for(user)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("academie"))
            assert response.content.decode().count("<tr>") == report.rows.count() + 1
            user_counts.append(len(queries))
    assert counts[superuser][0] == counts[superuser][1]
    assert counts[lyon_referent][0] == counts[lyon_referent][1]


# --- The exports --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_export_has_the_header_a_row_and_defused_names(client_for, lyon_referent, school, school_admin):
    lived_in(school, school_admin)
    SchoolFactory(name=HOSTILE)
    computed("lyon")
    response = client_for(lyon_referent).get(reverse("academie_export", kwargs={"file_format": "csv"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="academie-lyon-' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == academie_exports.HEADER
    rows = {line[1]: line for line in lines[1:]}
    row = rows[school.uai]
    assert row[:4] == [school.name, school.uai, "Collège", "Lyon"]
    assert row[10:] == ["6", "3", "50", "2", "33", "3", "2", "4", "1", "oui"]
    assert [line[0] for line in lines[1:] if line[0].startswith("'")] == ["'" + HOSTILE]


@pytest.mark.django_db
def test_an_unknown_export_format_is_not_found(client_for, lyon_referent):
    computed("lyon")
    response = client_for(lyon_referent).get(reverse("academie_export", kwargs={"file_format": "pdf"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_excel_export_filters_by_type_and_defuses_names(client_for, superuser, school):
    from openpyxl import load_workbook

    SchoolFactory(name=HOSTILE, type=School.Type.LYCEE_PRO, academie="Paris")
    computed()
    response = client_for(superuser).get(
        reverse("academie_export", kwargs={"file_format": "xlsx"}), {"academie": "", "type": "lycee_pro"}
    )
    assert response.status_code == 200
    assert 'filename="academie-toutes-lycee_pro-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == academie_exports.HEADER
    assert len(rows) == 2 and rows[1][0] == "'" + HOSTILE and rows[1][2] == "Lycée professionnel"


@pytest.mark.django_db
def test_an_export_before_any_report_is_a_404(client_for, superuser, school):
    assert client_for(superuser).get(reverse("academie_export", kwargs={"file_format": "csv"})).status_code == 404


@pytest.mark.django_db
def test_a_referent_is_edited_in_the_administration(client_for, superuser, lyon_referent):
    page = client_for(superuser).get(reverse("admin:pixdeploy_academiereferent_changelist")).content.decode()
    assert "referent.lyon" in page and "Lyon" in page
    assert client_for(lyon_referent).get(reverse("admin:pixdeploy_academiereferent_changelist")).status_code == 302


@pytest.mark.django_db
def test_membership_and_referent_roles_combine(client_for, school, lyon_referent):
    MembershipFactory(school=school, user=lyon_referent, role="admin")
    client = client_for(lyon_referent)
    assert client.get(reverse("home")).status_code == 200  # their school's checklist first
    assert client.get(reverse("academie")).status_code == 200


@pytest.mark.worker
def test_recalculer_is_computed_by_the_worker(framework, celery_worker, client_for, superuser):
    """Through the page, with a real worker and broker when they are configured (CI)."""
    school = SchoolFactory(name="Collège Louise-Michel")
    PupilFactory.create_batch(3, school=school)
    client_for(superuser).post(reverse("academie_recompute"), {"academie": ""})
    job = AcademieReport.objects.get()
    deadline = time.monotonic() + 60
    while job.is_running and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == AcademieReport.Status.DONE, job.error
    assert list(job.rows.values_list("uai", "pupils")) == [(school.uai, 3)]
