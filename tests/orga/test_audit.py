"""The journal of sensitive actions: `record` (who, the address through the trusted proxies, never breaking what it
records), the actions of orga's rooms that write it, and the school admins' page and CSV."""

import csv
import datetime
import io

import pytest
from django.contrib.admin.sites import site
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import rate_limits
from orga.audit.models import AuditEvent
from orga.audit.services import Action, record
from orga.campaigns.services import create_campaign
from orga.models import Invitation, Membership, SiecleImport
from orga.pupils.importing import _import_work, process_import
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, UserFactory

HOSTILE = '<script>alert("x")</script>'
PROXY = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.7"}


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def the_event(action):
    return AuditEvent.objects.get(action=action)


def assert_by(event, user, school, address="127.0.0.1"):
    assert event.actor == user and event.actor_label == user.display_name
    assert event.school == school and event.address == address


# --- record ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "address"),
    [(0, "10.0.0.2"), (1, "198.51.100.7"), (2, "203.0.113.66")],
    ids=["no-proxy-header-ignored", "one-proxy", "two-proxies"],
)
def test_the_address_is_read_through_the_trusted_proxies_only(settings, school, school_admin, proxies, address):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", **PROXY)
    request.user = school_admin
    event = record(request, school, Action.CAMPAIGN_CREATED)
    assert event.address == address and event.actor == school_admin


@pytest.mark.django_db
def test_the_actor_label_outlives_the_user_and_names_who_has_no_account(school):
    user = UserFactory(first_name="Anne", last_name="Leroy")
    event = record(user, school, Action.SIECLE_IMPORT_DONE, description="ok")
    user.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_label == "Anne Leroy" and event.address is None
    invigilator = record("Surveillant de la session n° 12", school, Action.SESSION_FINALISED)
    assert invigilator.actor is None and invigilator.actor_label == "Surveillant de la session n° 12"
    assert invigilator.description == "Session de certification finalisée"  # the action's label by default


@pytest.mark.django_db
def test_long_labels_are_cut_to_their_field(school):
    division = DivisionFactory(school=school, name="x" * 50)
    event = record("y" * 500, school, Action.CLASS_DOCUMENT, ("t" * 99, 1, "z" * 999), "d" * 999, extra=object())
    event.refresh_from_db()
    assert len(event.actor_label) == 200 and len(event.target_label) == 200 and len(event.description) == 300
    assert isinstance(event.detail["extra"], str)
    event = record("a", school, Action.CLASS_DOCUMENT, division)
    assert (event.target_type, event.target_id, event.target_label) == ("classe", str(division.id), division.name)


@pytest.mark.django_db(transaction=True)
def test_a_failure_to_record_never_breaks_the_action_nor_its_transaction(school, monkeypatch, caplog):
    def broken(**fields):
        with connection.cursor() as cursor:  # a database error: PostgreSQL aborts the transaction, savepoint aside
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    with transaction.atomic():
        assert record("x", school, Action.CAMPAIGN_CREATED) is None
        DivisionFactory(school=school, name="3e A")  # the caller's transaction is still usable
    assert school.divisions.count() == 1
    assert "not recorded" in caplog.text


def test_the_admin_site_never_adds_changes_or_deletes_an_event():
    admin = site._registry[AuditEvent]
    request = RequestFactory().get("/")
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request) and not admin.has_delete_permission(request)


@pytest.mark.django_db
def test_a_superuser_reads_the_events_in_the_admin_site_read_only(client_for, superuser, school):
    event = record("Anne", school, Action.CAMPAIGN_CREATED)
    client = client_for(superuser)
    assert client.get(reverse("admin:orga_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:orga_auditevent_change", args=[event.id])).status_code == 200
    assert client.post(reverse("admin:orga_auditevent_delete", args=[event.id])).status_code == 403
    assert AuditEvent.objects.filter(id=event.id).exists()


# --- The actions of orga that write the journal --------------------------------------------------------------


@pytest.fixture
def colleague(school):
    return MembershipFactory(school=school, role="member", user=UserFactory(first_name="Paul", last_name="Roy"))


@pytest.mark.django_db
def test_invitations_sent_resent_and_cancelled_are_recorded(client_for, school, school_admin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = client_for(school_admin)
    client.post(url("invite", school), {"email": "prof@exemple.fr", "role": "admin"}, **PROXY)
    invitation = Invitation.objects.get()
    sent = the_event(Action.INVITATION_SENT)
    assert_by(sent, school_admin, school, address="198.51.100.7")
    assert sent.target_label == "prof@exemple.fr" and "Administrateur" in sent.description
    client.post(url("invitation_resend", school, invitation_id=invitation.id))
    client.post(url("invitation_cancel", school, invitation_id=invitation.id))
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT).count() == 2
    assert_by(the_event(Action.INVITATION_CANCELLED), school_admin, school)


@pytest.mark.django_db
def test_role_changes_and_removals_are_recorded(client_for, school, school_admin, colleague):
    client = client_for(school_admin)
    client.post(url("member_role", school, membership_id=colleague.id), {"role": "admin"})
    changed = the_event(Action.MEMBER_ROLE_CHANGED)
    assert_by(changed, school_admin, school)
    assert changed.target_label == "Paul Roy" and changed.description == "Nouveau rôle : Administrateur"
    client.post(url("member_remove", school, membership_id=colleague.id))
    assert the_event(Action.MEMBER_REMOVED).target_label == "Paul Roy"
    assert not Membership.objects.get(id=colleague.id).is_active


@pytest.mark.django_db
def test_a_refused_role_change_records_nothing(client_for, school, school_admin):
    own = Membership.objects.get(user=school_admin)
    client_for(school_admin).post(url("member_role", school, membership_id=own.id), {"role": "member"})
    assert not AuditEvent.objects.exists()  # the last admin stays: nothing happened


def _import_four_pupils(client, school, capture_on_commit):
    """A SIECLE file of 4 pupils in 3e A, uploaded and imported (the job run on commit); returns the file's bytes."""
    data = siecle_xml(school.uai, generated_pupils(4, ["3e A"], seed=3))
    with capture_on_commit(execute=True):
        client.post(url("imports", school), {"file": SimpleUploadedFile("eleves.xml", data)})
    return data


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_siecle_import_records_its_start_and_its_end(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    _import_four_pupils(client_for(school_admin), school, django_capture_on_commit_callbacks)
    started, done = the_event(Action.SIECLE_IMPORT_STARTED), the_event(Action.SIECLE_IMPORT_DONE)
    assert_by(started, school_admin, school)
    assert started.target_label == "eleves.xml"
    assert done.actor == school_admin and done.address is None  # the worker has no client
    assert done.detail["created"] == 4 and done.description.startswith("4 créé(s)")


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_siecle_import_run_again_after_a_crash_records_its_end_once(
    client_for, school, school_admin, django_capture_on_commit_callbacks
):
    data = _import_four_pupils(client_for(school_admin), school, django_capture_on_commit_callbacks)
    siecle_import = SiecleImport.objects.get(school=school)
    siecle_import.file.save("eleves.xml", ContentFile(data))  # deleted when the job ended; not yet on a crash
    _import_work(siecle_import)  # what a retry does when the worker died after the work, before the job's end
    (done,) = AuditEvent.objects.filter(action=Action.SIECLE_IMPORT_DONE)
    assert done.detail == {"created": 4, "updated": 0, "disabled": 0}  # the first run's counts
    record(school_admin, school, Action.SIECLE_IMPORT_DONE, ("import SIECLE", 999, "autre.xml"), "x", once=True)
    assert AuditEvent.objects.filter(action=Action.SIECLE_IMPORT_DONE).count() == 2  # another import: recorded


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_refused_siecle_file_is_recorded(client_for, school, school_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(school_admin).post(url("imports", school), {"file": SimpleUploadedFile("x.xml", b"pas un export")})
    refused = the_event(Action.SIECLE_IMPORT_REFUSED)
    assert refused.actor == school_admin and refused.school == school
    assert not AuditEvent.objects.filter(action=Action.SIECLE_IMPORT_DONE).exists()


@pytest.mark.django_db
def test_credentials_sheets_and_password_resets_are_recorded(client_for, school, school_admin):
    division = DivisionFactory(school=school, name="3e A")
    PupilFactory.create_batch(3, school=school, division=division)
    client = client_for(school_admin)
    sheet = url("credentials_file", school, division_id=division.id, fmt="csv")
    assert client.post(sheet, {"action": "generer"}).status_code == 200
    printed = the_event(Action.CREDENTIALS_PRINTED)
    assert_by(printed, school_admin, school)
    assert printed.target_label == "3e A" and printed.detail == {"pupils": 3, "format": "csv"}
    client.post(sheet, {"action": "reinitialiser", "tout": "1", "confirme": "1"})
    reset = the_event(Action.PASSWORDS_RESET)
    assert_by(reset, school_admin, school)
    assert reset.description.startswith("3 mot(s) de passe réinitialisé(s)")


@pytest.mark.django_db
def test_campaigns_created_and_archived_are_recorded(client_for, school, teacher):
    client = client_for(teacher)
    client.post(url("campaign_create", school), {"name": HOSTILE, "type": "assessment", "preset": "rentree-4e"})
    created = the_event(Action.CAMPAIGN_CREATED)
    assert_by(created, teacher, school)
    assert created.target_label.startswith(HOSTILE)
    client.post(url("campaign_archive", school, campaign_id=int(created.target_id)))
    assert_by(the_event(Action.CAMPAIGN_ARCHIVED), teacher, school)


@pytest.mark.django_db
def test_class_documents_with_pupils_names_are_recorded(client_for, school, school_admin):
    division = DivisionFactory(school=school, name="3e A")
    PupilFactory(school=school, division=division)
    campaign = create_campaign(school=school, owner=school_admin, name="C", type="assessment", competence_codes=["1.1"])
    client = client_for(school_admin)
    client.get(url("class_reminder", school, division_id=division.id))
    client.get(url("campaign_letter", school, campaign_id=campaign.id, division_id=division.id))
    documents = AuditEvent.objects.filter(action=Action.CLASS_DOCUMENT).order_by("id")
    assert [event.description for event in documents] == [
        "Liste de relance (PDF)",
        f"Lettres aux familles ({campaign.code})",
    ]
    assert_by(documents[0], school_admin, school)


# --- The journal's page --------------------------------------------------------------------------------------


def add_events(school, count, **fields):
    AuditEvent.objects.bulk_create(
        AuditEvent(school=school, actor_label=f"Auteur {n}", action=Action.RESULTS_EXPORTED, **fields)
        for n in range(count)
    )


@pytest.mark.django_db
def test_only_the_schools_admins_read_the_journal(client_for, school, school_admin, teacher, other_school_admin):
    for name in ("journal", "journal_csv"):
        assert client_for(None).get(url(name, school)).status_code == 302
        assert client_for(teacher).get(url(name, school)).status_code == 403
        assert client_for(other_school_admin).get(url(name, school)).status_code == 404
        assert client_for(school_admin).get(url(name, school)).status_code == 200


@pytest.mark.django_db
def test_the_journal_shows_the_schools_events_newest_first_escaped(client_for, school, other_school, school_admin):
    old = record("Ancien", school, Action.CAMPAIGN_CREATED, ("campagne", 1, "Vieille campagne"))
    AuditEvent.objects.filter(id=old.id).update(created_at=timezone.now() - datetime.timedelta(days=3))
    record("Nouveau", school, Action.RESULTS_EXPORTED, ("export", 2, HOSTILE), address="192.0.2.4")
    record("Ailleurs", other_school, Action.RESULTS_EXPORTED, ("export", 3, "Secret d'ailleurs"))
    html = client_for(school_admin).get(url("journal", school)).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.index("Nouveau") < html.index("Ancien") and "192.0.2.4" in html
    assert "Secret d" not in html and "2 événements" in html


@pytest.mark.django_db
def test_the_journal_filters_by_action_and_period(client_for, school, school_admin):
    old = record("Ancien", school, Action.CAMPAIGN_CREATED)
    AuditEvent.objects.filter(id=old.id).update(created_at=timezone.now() - datetime.timedelta(days=40))
    record("Récent", school, Action.CAMPAIGN_CREATED)
    record("Export", school, Action.RESULTS_EXPORTED)
    client = client_for(school_admin)
    html = client.get(url("journal", school), {"action": Action.CAMPAIGN_CREATED}).content.decode()
    assert "Ancien" in html and "Récent" in html and "Export</td>" not in html
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    html = client.get(url("journal", school), {"du": since}).content.decode()
    assert "Ancien" not in html and "Récent" in html and "2 événements" in html
    until = (timezone.localdate() - datetime.timedelta(days=20)).isoformat()
    html = client.get(url("journal", school), {"au": until}).content.decode()
    assert "Ancien" in html and "Récent" not in html
    response = client.get(url("journal", school), {"du": since, "au": until})
    assert response.status_code == 400 and "La date de fin doit suivre la date de début." in response.content.decode()


@pytest.mark.django_db
def test_the_journal_pages_50_events_in_a_flat_number_of_queries(client_for, school, school_admin):
    client = client_for(school_admin)
    page = url("journal", school)
    add_events(school, 3)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    add_events(school, 120)
    with CaptureQueriesContext(connection) as many:
        html = client.get(page).content.decode()
    assert len(many) == len(few)
    assert html.count("<tr>") == 51 and "1 / 3" in html
    last = client.get(page, {"page": 3}).content.decode()
    assert last.count("<tr>") == 24 and "3 / 3" in last


@pytest.mark.django_db
def test_the_journal_csv_is_filtered_and_its_cells_defused(client_for, school, school_admin):
    record('=HYPERLINK("http://x")', school, Action.RESULTS_EXPORTED, ("export", 1, "@SUM(1)"))
    record("Anne", school, Action.CAMPAIGN_CREATED, ("campagne", 2, "Rentrée"))
    response = client_for(school_admin).get(url("journal_csv", school), {"action": Action.RESULTS_EXPORTED})
    assert response["Content-Disposition"].startswith('attachment; filename="journal-0693834T-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Date", "Auteur", "Action", "Description", "Type d'objet", "Objet", "Adresse"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][5] == "'@SUM(1)"
    assert rows[1][2] == "Export de résultats"


@pytest.mark.django_db
def test_the_admins_navigation_leads_to_the_journal(client_for, school, school_admin, teacher):
    journal = url("journal", school)
    assert f'href="{journal}"' in client_for(school_admin).get(reverse("home")).content.decode()
    assert f'href="{journal}"' not in client_for(teacher).get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_sign_in_lockout_is_recorded_once_for_the_pupils_school(school, pupil, password):
    def sign_in(login, secret):
        return Client(REMOTE_ADDR="203.0.113.7").post(reverse("account_login"), {"login": login, "password": secret})

    for _ in range(rate_limits.MAX_PER_ACCOUNT):
        sign_in(pupil.username, "pas-le-bon")
    assert not AuditEvent.objects.exists()  # failures alone are no lockout
    assert "essais erronés en peu de temps" in sign_in(pupil.username, password).content.decode()
    sign_in(pupil.username, password)
    (lockout,) = AuditEvent.objects.filter(action=Action.SIGN_IN_LOCKOUT)
    assert lockout.school == school and lockout.address == "203.0.113.7" and lockout.actor is None
    assert lockout.target_label == pupil.username and lockout.target_id == str(pupil.id)


@pytest.mark.django_db
def test_a_reimport_that_disables_pupils_records_it(school, school_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    PupilFactory(school=school, ine="123456789AB", is_active=True)
    data = siecle_xml(school.uai, generated_pupils(2, ["3e A"], seed=4))
    job = SiecleImport.objects.create(school=school, uploaded_by=school_admin, original_name="e.xml")
    job.file.save("e.xml", ContentFile(data))
    process_import(job.id)
    disabled = the_event(Action.PUPIL_DISABLED)
    assert disabled.actor == school_admin and disabled.detail == {"disabled": 1, "left": 0}
