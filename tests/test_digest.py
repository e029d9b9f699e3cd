"""The weekly digest: content by role, opt-out (preference and signed link), idempotent rerun, who never gets it."""

import datetime
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orga.models import Campaign, Membership, Participation
from pixdeploy import digest, tasks
from pixdeploy.models import DigestSent
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, UserFactory
from tests.orga.test_classes import make_campaign

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)  # steps 1 to 3 ended in October, step 4 not yet
SEPTEMBER = datetime.date(2026, 9, 14)  # nothing ended yet


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://pix.exemple.fr/"


def send(today=MONDAY):
    return digest.send_weekly_digests(today=today)


def html_of(message):
    return message.alternatives[0][0]


def admin_of(school=None, **user):
    return MembershipFactory(school=school or SchoolFactory(), user=UserFactory(**user), role=Membership.Role.ADMIN)


def lagging_teacher(class_name="4e B", shared=1, pupils=4, days=20):
    """A teacher following a class of `pupils` pupils, `shared` of whom sent results to a campaign `days` old."""
    teacher = MembershipFactory()
    division = DivisionFactory(school=teacher.school, name=class_name)
    teacher.divisions.add(division)
    members = [PupilFactory(school=teacher.school, division=division) for _ in range(pupils)]
    campaign = make_campaign(teacher.school, teacher.user, name="Parcours de rentrée", divisions=[division])
    Campaign.objects.filter(pk=campaign.pk).update(created_at=timezone.now() - timedelta(days=days))
    for pupil in members[:shared]:
        Participation.objects.create(
            campaign=campaign, pupil=pupil, status=Participation.Status.SHARED, shared_at=timezone.now()
        )
    return teacher, division, campaign


# --- What is late -------------------------------------------------------------------------------------------


def test_late_items_of_a_new_school_are_the_steps_whose_window_ended():
    school = SchoolFactory()
    late = digest.late_items(school, MONDAY)
    assert [entry.step.number for entry in late] == [1, 2, 3]
    labels = [item.label for item in late[0].items]
    assert "Importer la liste des élèves" in labels
    assert "Inviter un co-administrateur" not in labels  # optional
    assert digest.late_items(school, SEPTEMBER) == []


def test_late_items_read_the_steps_own_end_date_when_they_have_one():
    school = SchoolFactory()
    steps = digest.checklist.checklist_for(school)
    for step in steps:
        step.ends_on = None
    steps[3].ends_on = MONDAY - timedelta(days=1)
    assert [entry.step.number for entry in digest.late_items(school, MONDAY, steps=steps)] == [4]


def test_a_class_lags_under_the_threshold_of_a_campaign_older_than_two_weeks():
    teacher, division, campaign = lagging_teacher(shared=1, pupils=4)
    [lag] = digest.lagging_classes(teacher)
    assert (lag.division, lag.campaign, lag.shared, lag.pupils, lag.percent) == (division, campaign, 1, 4, 25)
    assert digest.LOW_PARTICIPATION_THRESHOLD == 0.5


@pytest.mark.parametrize("shared, days", [(2, 20), (1, 10)])
def test_a_class_at_half_or_a_recent_campaign_does_not_lag(shared, days):
    teacher, _, _ = lagging_teacher(shared=shared, pupils=4, days=days)
    assert digest.lagging_classes(teacher) == []


# --- Content by role ----------------------------------------------------------------------------------------


def test_a_school_admin_gets_the_late_steps_with_absolute_links():
    admin = admin_of()
    assert send() == 1
    [message] = mail.outbox
    assert message.to == [admin.user.email]
    assert "retard" in message.subject
    imports = f"https://pix.exemple.fr/etablissements/{admin.school.uai}/"
    for body in (message.body, html_of(message)):
        assert admin.school.name in body
        assert "Étape 1 : Initialiser" in body
        assert "Importer la liste des élèves" in body
        assert imports in body
        assert "Étape 4" not in body
    assert "https://pix.exemple.fr/courriels/desabonnement/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://pix.exemple.fr/courriels/desabonnement/")


def test_a_teacher_gets_their_lagging_classes_with_links():
    teacher, division, _ = lagging_teacher(class_name="4e B")
    assert send() == 1
    [message] = mail.outbox
    assert message.to == [teacher.user.email]
    link = "https://pix.exemple.fr" + reverse(
        "orga:class_progress", kwargs={"uai": teacher.school.uai, "division_id": division.id}
    )
    for body in (message.body, html_of(message)):
        assert "4e B" in body
        assert "1 / 4 élèves (25 %)" in body
        assert link in body
        assert "Étape" not in body  # the checklist is the admins'


def test_no_mail_when_nothing_is_late():
    admin_of()
    lagging_teacher(shared=3, pupils=4)
    assert send(SEPTEMBER) == 0
    assert mail.outbox == []
    assert not DigestSent.objects.exists()


# --- Idempotence ----------------------------------------------------------------------------------------------


def test_a_rerun_in_the_same_week_sends_nothing_more():
    admin_of()
    lagging_teacher()
    assert send() == 2
    assert send(MONDAY + timedelta(days=2)) == 0
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    assert send(MONDAY + timedelta(days=7)) == 2  # next week: again
    assert len(mail.outbox) == 2


def test_the_task_runs_the_function_for_this_week_once():
    lagging_teacher()  # late whatever today's date
    assert tasks.send_weekly_digests.apply().get() == 1  # run here, whether a broker is set or not
    assert tasks.send_weekly_digests() == 0
    assert len(mail.outbox) == 1
    assert DigestSent.objects.get().week == digest.iso_week(timezone.localdate())


def test_the_task_is_scheduled_on_monday_morning():
    entry = django_settings.CELERY_BEAT_SCHEDULE["weekly-digests"]
    assert entry["task"] == "pixdeploy.send_weekly_digests"
    schedule = entry["schedule"]
    assert schedule.hour == {7} and schedule.minute == {0} and schedule.day_of_week == {1}
    assert django_settings.CELERY_TIMEZONE == "Europe/Paris"


# --- Who never gets it ------------------------------------------------------------------------------------------


def test_no_mail_to_inactive_memberships_users_without_email_or_opted_out():
    inactive = admin_of()
    inactive.is_active = False
    inactive.save()
    admin_of(email="")
    admin_of(weekly_digest=False)
    teacher, _, _ = lagging_teacher()
    teacher.is_active = False
    teacher.save()
    assert send() == 0
    assert mail.outbox == []


def test_escaping_of_school_and_class_names_in_the_html_mail():
    admin = admin_of(SchoolFactory(name='Collège <b>"Hugo"</b> & Cie'))
    lagging_teacher(class_name="<i>4e</i>")
    assert send() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    admin_html = html_of(by_recipient[admin.user.email])
    assert "<b>" not in admin_html and "Collège &lt;b&gt;&quot;Hugo&quot;&lt;/b&gt; &amp; Cie" in admin_html
    assert 'Collège <b>"Hugo"</b> & Cie' in by_recipient[admin.user.email].body  # plain text: as typed
    teacher_html = next(html_of(m) for m in mail.outbox if m.to[0] != admin.user.email)
    assert "<i>" not in teacher_html and "&lt;i&gt;4e&lt;/i&gt;" in teacher_html


# --- Opting out -----------------------------------------------------------------------------------------------


def test_the_preferences_page_switches_the_digest_off_and_on(client):
    admin = admin_of()
    page = reverse("email_preferences")
    assert client.get(page).status_code == 302  # anonymous → sign in
    client.force_login(admin.user)
    response = client.get(page)
    assert response.status_code == 200
    assert "Recevoir le récapitulatif du lundi" in response.content.decode()
    assert 'href="/compte/courriels/"' in client.get(reverse("home")).content.decode()  # the account menu
    client.post(page, {})
    admin.user.refresh_from_db()
    assert admin.user.weekly_digest is False
    assert send() == 0
    client.post(page, {"weekly_digest": "on"})
    admin.user.refresh_from_db()
    assert admin.user.weekly_digest is True


def test_the_link_in_the_mail_unsubscribes_without_signing_in(client):
    admin = admin_of()
    send()
    link = re.search(r"https://pix\.exemple\.fr(/courriels/desabonnement/[^/\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert "Me désabonner" in response.content.decode()
    admin.user.refresh_from_db()
    assert admin.user.weekly_digest is True  # a link scanner's GET changes nothing
    response = client.post(link)
    assert "ne recevra plus" in response.content.decode()
    admin.user.refresh_from_db()
    assert admin.user.weekly_digest is False
    mail.outbox.clear()
    assert send(MONDAY + timedelta(days=7)) == 0


def test_a_forged_unsubscribe_link_changes_nothing(client):
    admin = admin_of()
    token = digest.unsubscribe_token(admin.user)
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    response = client.post(reverse("digest_unsubscribe", kwargs={"token": forged}))
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()
    admin.user.refresh_from_db()
    assert admin.user.weekly_digest is True


def test_one_mail_for_a_user_admin_here_and_teacher_there():
    teacher, _, _ = lagging_teacher(class_name="5e C")
    MembershipFactory(user=teacher.user, role=Membership.Role.ADMIN, school=SchoolFactory(name="Lycée Ampère"))
    assert send() == 1
    [message] = mail.outbox
    assert "Lycée Ampère" in message.body and "Étape 1" in message.body
    assert teacher.school.name in message.body and "5e C" in message.body


def test_inactive_pupils_do_not_count():
    teacher, division, _ = lagging_teacher(shared=1, pupils=2)  # 50 %: not late
    assert digest.lagging_classes(teacher) == []
    PupilFactory(school=teacher.school, division=division, is_active=False)
    assert digest.lagging_classes(teacher) == []
    PupilFactory(school=teacher.school, division=division)
    assert [lag.percent for lag in digest.lagging_classes(teacher)] == [33]


def test_a_failed_sending_records_nothing_and_the_others_still_go(monkeypatch):
    first, second = admin_of(), admin_of()
    real_send = digest.EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == [first.user.email]:
            raise OSError("serveur de courriel injoignable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(digest.EmailMultiAlternatives, "send", flaky)
    assert send() == 1
    assert [message.to for message in mail.outbox] == [[second.user.email]]
    assert list(DigestSent.objects.values_list("user_id", flat=True)) == [second.user_id]
    monkeypatch.undo()
    assert send() == 1  # the next run retries the one that failed
    assert mail.outbox[-1].to == [first.user.email]


def test_the_plain_text_mail_reads_well():
    lagging_teacher(class_name="4e B")
    send()
    body = mail.outbox[0].body
    assert "\n\n\n" not in body
    assert "- 4e B, campagne « Parcours de rentrée » : 1 / 4 élèves (25 %)" in body


def test_lagging_classes_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    teacher, _, campaign = lagging_teacher()
    for name in ("5e A", "5e B", "5e C"):
        division = DivisionFactory(school=teacher.school, name=name)
        teacher.divisions.add(division)
        campaign.divisions.add(division)
        PupilFactory(school=teacher.school, division=division)
    teacher = Membership.objects.select_related("school", "user").get(pk=teacher.pk)
    with django_assert_max_num_queries(5):
        assert len(digest.lagging_classes(teacher)) == 4
