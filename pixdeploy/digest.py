"""The weekly e-mail digest (Monday morning, Celery beat): what is late, to whom it matters.

- A school admin hears of the checklist's steps whose window ended while required items are still to do
  (`late_items`).
- A teacher hears of their followed classes whose campaigns, started more than `CAMPAIGN_GRACE` ago, have
  received results from less than `LOW_PARTICIPATION_THRESHOLD` of the class's pupils (`lagging_classes`).

No mail when nothing is late. Each user can switch the digest off (`User.weekly_digest`), from « Mes courriels »
or from the signed link at the foot of each mail (no sign-in). `DigestSent` records each user's mail per ISO week:
running `send_weekly_digests` twice in the same week sends nothing more.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from orga.models import Campaign, Division, Membership, Participation, School
from orga.schools.permissions import classes_followed_by

from . import checklist
from .models import DigestSent

logger = logging.getLogger(__name__)

# A class lags in a campaign when less than this share of its active pupils sent their results…
LOW_PARTICIPATION_THRESHOLD = 0.5
# …once the campaign has been open this long.
CAMPAIGN_GRACE = datetime.timedelta(weeks=2)

UNSUBSCRIBE_SALT = "pixdeploy.digest.unsubscribe"


@dataclass
class LateStep:
    step: checklist.Step
    ends_on: datetime.date
    items: list = field(default_factory=list)  # the required items still to do


@dataclass
class LaggingClass:
    division: Division
    campaign: Campaign
    pupils: int
    shared: int

    @property
    def percent(self):
        return round(100 * self.shared / self.pupils) if self.pupils else 0


def late_items(school, today, steps=None):
    """The steps whose window (the checklist's, from the school calendar) ended before `today` with required items
    not done, each with those items. A step without a window (no calendar for the year) is never late."""
    late = []
    for step in checklist.checklist_for(school) if steps is None else steps:
        ends_on = step.ends_on
        if ends_on is None or ends_on >= today:
            continue
        items = [item for item in step.items if not item.done and not item.optional]
        if items:
            late.append(LateStep(step, ends_on, items))
    return late


def lagging_classes(membership, now=None):
    """The teacher's followed classes and, for each, the campaigns started more than `CAMPAIGN_GRACE` ago (not
    archived) that target the class or that its pupils joined, where under `LOW_PARTICIPATION_THRESHOLD` of the
    class's active pupils sent their results. A fixed number of queries."""
    now = now or timezone.now()
    school = membership.school
    divisions = {
        d.id: d
        for d in Division.objects.filter(school=school)
        .filter(classes_followed_by(membership.user, membership))
        .annotate(active=Count("pupils", filter=Q(pupils__is_active=True)))
        .filter(active__gt=0)
    }
    if not divisions:
        return []
    campaigns = {
        c.id: c
        for c in Campaign.objects.filter(school=school, archived_at__isnull=True, created_at__lte=now - CAMPAIGN_GRACE)
    }
    if not campaigns:
        return []
    pairs = set(
        Campaign.divisions.through.objects.filter(campaign_id__in=campaigns, division_id__in=divisions).values_list(
            "campaign_id", "division_id"
        )
    )
    participations = Participation.objects.current().filter(
        campaign_id__in=campaigns, pupil__division_id__in=divisions, pupil__is_active=True
    )
    pairs |= set(participations.values_list("campaign_id", "pupil__division_id").distinct())
    shared = {
        (row["campaign_id"], row["pupil__division_id"]): row["n"]
        for row in participations.filter(status=Participation.Status.SHARED)
        .values("campaign_id", "pupil__division_id")
        .annotate(n=Count("pupil_id", distinct=True))
    }
    lagging = []
    for campaign_id, division_id in pairs:
        division = divisions[division_id]
        count = shared.get((campaign_id, division_id), 0)
        if count < LOW_PARTICIPATION_THRESHOLD * division.active:
            lagging.append(LaggingClass(division, campaigns[campaign_id], division.active, count))
    return sorted(lagging, key=lambda lag: (lag.division.name, lag.campaign.name, lag.campaign.id))


# --- Links ----------------------------------------------------------------------------------------------------


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user):
    return signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT)


def user_from_token(token):
    """The user an unsubscribe token names, or None when it is forged or the user is gone."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=payload.get("user")).first()


def unsubscribe_url(user):
    return absolute(reverse("digest_unsubscribe", kwargs={"token": unsubscribe_token(user)}))


# --- Content and sending ---------------------------------------------------------------------------------------


@dataclass
class SchoolSection:
    school: School
    url: str
    late_steps: list = field(default_factory=list)
    lagging: list = field(default_factory=list)


def _school_section(membership, today, now, late_by_school):
    school = membership.school
    section = SchoolSection(school, absolute(reverse("home")))
    if membership.is_admin:
        if school.id not in late_by_school:
            late_by_school[school.id] = late_items(school, today)
        section.late_steps = [
            LateStep(
                late.step,
                late.ends_on,
                [(item, absolute(item.url) if item.url else section.url) for item in late.items],
            )
            for late in late_by_school[school.id]
        ]
    else:
        section.lagging = [
            (
                lag,
                absolute(reverse("orga:class_progress", kwargs={"uai": school.uai, "division_id": lag.division.id})),
            )
            for lag in lagging_classes(membership, now)
        ]
    return section if section.late_steps or section.lagging else None


def digest_for(user, today=None, now=None, late_by_school=None):
    """The sections of a user's digest, one per school with something late (empty: no mail)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    late_by_school = {} if late_by_school is None else late_by_school
    memberships = (
        Membership.objects.filter(user=user, is_active=True).select_related("school", "user").order_by("school__name")
    )
    return [
        section
        for membership in memberships
        if (section := _school_section(membership, today, now, late_by_school)) is not None
    ]


def iso_week(today):
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def recipients():
    """Users who may receive a digest: active, with an e-mail, opted in, with an active staff membership."""
    return (
        get_user_model()
        .objects.filter(is_active=True, weekly_digest=True, memberships__is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _message(user, sections):
    context = {
        "user": user,
        "sections": sections,
        "threshold": round(100 * LOW_PARTICIPATION_THRESHOLD),
        "unsubscribe_url": unsubscribe_url(user),
        "preferences_url": absolute(reverse("email_preferences")),
    }
    subject = " ".join(render_to_string("orga/emails/weekly_digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string("orga/emails/weekly_digest_body.txt", context),
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("orga/emails/weekly_digest_body.html", context), "text/html")
    return message


def send_weekly_digests(today=None, now=None):
    """Send this ISO week's digest to each recipient with something late, once. Returns the number sent."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    week = iso_week(today)
    already = set(DigestSent.objects.filter(week=week).values_list("user_id", flat=True))
    late_by_school = {}
    sent = 0
    for user in recipients().exclude(pk__in=already):
        sections = digest_for(user, today, now, late_by_school)
        if not sections:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, week=week)  # claimed first: a concurrent run skips this user
                _message(user, sections).send()
        except IntegrityError:
            continue
        except Exception:
            logger.exception("Récapitulatif hebdomadaire non envoyé à l'utilisateur %s", user.pk)
            continue
        sent += 1
    return sent
