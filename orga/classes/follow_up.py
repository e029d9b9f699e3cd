"""The classes a teacher follows: the year's objective, each pupil's progress toward it, who to remind.

Plain functions over QuerySets; each runs a fixed number of queries whatever the number of classes,
pupils or campaigns.

A pupil's *profile* is, per competence, the level of their latest shared result in any campaign of
the school during the current school year (August to July). A later sending replaces an earlier
one; a result replaced by a re-participation still counts until the new one is shared. A pupil
reaches the class objective with `competences_target` competences at `level_target` or more
(by default 5 competences at level 1: about 2 hours on Pix).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from orga.campaigns.models import Campaign, CompetenceResult, Participation
from orga.pupils.models import Division, Pupil
from orga.schools.models import current_school_year
from orga.schools.permissions import follows_class

from .models import ClassObjective

STATUS = Participation.Status
NOT_STARTED = "not_started"
STATUS_LABELS = {
    NOT_STARTED: "Pas commencé",
    STATUS.STARTED: "En cours",
    STATUS.TO_SHARE: "En attente d'envoi",
    STATUS.SHARED: "Résultats reçus",
}
UNFINISHED = (STATUS.STARTED, STATUS.TO_SHARE)
# The filters of the progress table: a pupil is kept when one campaign (or the chosen one) is in these statuses.
FILTERS = {
    "pas-commence": ("Pas commencé", (NOT_STARTED,)),
    "pas-termine": ("Pas terminé (en cours ou en attente d'envoi)", UNFINISHED),
}


def school_year_bounds(today=None):
    """The current school year as [1 August, next 1 August) in the local time zone."""
    start = int(current_school_year(today)[:4])
    zone = timezone.get_current_timezone()
    return datetime.datetime(start, 8, 1, tzinfo=zone), datetime.datetime(start + 1, 8, 1, tzinfo=zone)


def objective_of(division):
    """The class's objective, or the default one (unsaved) when nobody set it yet."""
    try:
        return division.objective
    except ClassObjective.DoesNotExist:
        return ClassObjective(division=division)


# --- Who follows which class ------------------------------------------------------------------------


def followed_divisions(school, user, membership):
    """The classes shown in « Mes classes »: all of them for admins, the chosen ones for a teacher."""
    return Division.objects.filter(school=school).followed_by(user, membership)


def follows(user, membership, division):
    """Admins follow every class; a teacher, the classes they chose (one query)."""
    return follows_class(user, membership, division.id)


# --- Profiles and the objective ---------------------------------------------------------------------


def shared_results(pupil_ids):
    """The shared competence results of these pupils, oldest sending first (`sent`), so that folding them keeps
    the latest result of each competence (`latest_by_pupil`)."""
    return (
        CompetenceResult.objects.filter(participation__pupil__in=pupil_ids, participation__status=STATUS.SHARED)
        .annotate(sent=Coalesce("participation__shared_at", "participation__created_at"))
        .order_by("sent", "participation_id")
    )


def latest_by_pupil(rows):
    """{pupil_id: {competence: level}} from (pupil_id, competence, level) rows, oldest first: the latest wins."""
    latest = {}
    for pupil_id, competence, level in rows:
        latest.setdefault(pupil_id, {})[competence] = level
    return latest


def pupil_profiles(pupils, school, today=None):
    """{pupil_id: {competence_code: level}} for these pupils (a Pupil QuerySet), in one query."""
    start, end = school_year_bounds(today)
    rows = (
        shared_results(pupils.values("id"))
        .filter(participation__campaign__school=school, sent__gte=start, sent__lt=end)
        .values_list("participation__pupil_id", "competence__code", "level")
    )
    return latest_by_pupil(rows)


def competences_reached(profile, objective):
    return sum(1 for level in profile.values() if level >= objective.level_target)


def reaches_objective(profile, objective):
    return competences_reached(profile, objective) >= objective.competences_target


@dataclass
class ClassSummary:
    division: Division
    objective: ClassObjective
    active_pupils: int
    participants: int  # active pupils with at least one participation this school year
    reached: int  # active pupils who reached the objective

    @property
    def percent(self):
        return round(100 * self.reached / self.active_pupils) if self.active_pupils else 0


def classes_overview(divisions, school, today=None):
    """A ClassSummary per class of `divisions` (a Division QuerySet), by name, in three queries."""
    start, end = school_year_bounds(today)
    this_year = Q(pupils__participations__created_at__gte=start, pupils__participations__created_at__lt=end)
    divisions = list(
        divisions.select_related("objective")
        .annotate(
            active_count=Count("pupils", filter=Q(pupils__is_active=True), distinct=True),
            participant_count=Count("pupils", filter=Q(pupils__is_active=True) & this_year, distinct=True),
        )
        .order_by("name")
    )
    pupils = Pupil.objects.filter(division__in=[d.id for d in divisions], is_active=True)
    profiles = pupil_profiles(pupils, school, today)
    division_of = dict(pupils.values_list("id", "division_id"))
    summaries = []
    for division in divisions:
        objective = objective_of(division)
        reached = sum(
            1
            for pupil_id, profile in profiles.items()
            if division_of.get(pupil_id) == division.id and reaches_objective(profile, objective)
        )
        summaries.append(ClassSummary(division, objective, division.active_count, division.participant_count, reached))
    return summaries


# --- A class's progress in its campaigns ------------------------------------------------------------


@dataclass
class Cell:
    campaign: Campaign
    status: str | None  # None: the campaign is meant for other classes and the pupil did not take it

    @property
    def label(self):
        return STATUS_LABELS.get(self.status, "Non concerné")


@dataclass
class PupilProgress:
    pupil: Pupil
    cells: list
    reached: int  # competences at the objective's level or more
    reached_objective: bool

    def status_in(self, campaign_id):
        return next((cell.status for cell in self.cells if cell.campaign.id == campaign_id), None)

    def has_status(self, statuses, campaign_id=None):
        return any(
            cell.status in statuses for cell in self.cells if campaign_id is None or cell.campaign.id == campaign_id
        )


@dataclass
class Reminder:
    campaign: Campaign
    not_started: list = field(default_factory=list)  # pupils
    unfinished: list = field(default_factory=list)  # (pupil, status label)


@dataclass
class ClassProgress:
    division: Division
    objective: ClassObjective
    campaigns: list
    rows: list  # PupilProgress, by name

    @property
    def reached(self):
        return sum(1 for row in self.rows if row.reached_objective)

    @property
    def percent(self):
        return round(100 * self.reached / len(self.rows)) if self.rows else 0

    def filtered(self, kind=None, campaign_id=None):
        """The rows kept by a filter of FILTERS (else all), in every campaign or in the one chosen."""
        if kind not in FILTERS:
            return self.rows
        return [row for row in self.rows if row.has_status(FILTERS[kind][1], campaign_id)]

    def reminders(self):
        """Per campaign still open: the pupils who have not started it, and those who have not finished it.
        A campaign imported from Pix is no one's to take here: it has no reminder."""
        reminders = []
        for campaign in self.campaigns:
            if campaign.is_archived or campaign.is_imported_from_pix:
                continue
            reminder = Reminder(campaign)
            for row in self.rows:
                status = row.status_in(campaign.id)
                if status == NOT_STARTED:
                    reminder.not_started.append(row.pupil)
                elif status in UNFINISHED:
                    reminder.unfinished.append((row.pupil, STATUS_LABELS[status]))
            reminders.append(reminder)
        return reminders


def division_progress(division, school, today=None):
    """Active pupils × campaigns of the year that target the class or had participants from it (4 queries).

    A campaign for the whole school or for this class concerns every pupil ("Pas commencé" when
    not taken); a campaign meant for other classes only the pupils of this class who took it.
    """
    start, end = school_year_bounds(today)
    targets = Campaign.divisions.through.objects.filter(campaign_id=OuterRef("pk"))
    taken_here = Participation.objects.filter(
        pupil__division=division, created_at__gte=start, created_at__lt=end
    ).values("campaign_id")
    campaigns = list(
        Campaign.objects.filter(school=school)
        .annotate(targets_class=Exists(targets.filter(division_id=division.id)), has_targets=Exists(targets))
        .filter(Q(targets_class=True, created_at__gte=start, created_at__lt=end) | Q(id__in=taken_here))
        .order_by("created_at", "id")
    )
    pupils = Pupil.objects.filter(division=division, is_active=True).order_by("last_name", "first_name", "id")
    statuses = {
        (pupil_id, campaign_id): status
        for pupil_id, campaign_id, status in Participation.objects.current()
        .filter(campaign__in=[c.id for c in campaigns], pupil__division=division, pupil__is_active=True)
        .values_list("pupil_id", "campaign_id", "status")
    }
    profiles = pupil_profiles(pupils, school, today)
    objective = objective_of(division)
    rows = []
    for pupil in pupils:
        cells = []
        for campaign in campaigns:
            status = statuses.get((pupil.id, campaign.id))
            if status is None and (campaign.targets_class or not campaign.has_targets):
                status = NOT_STARTED
            cells.append(Cell(campaign, status))
        profile = profiles.get(pupil.id, {})
        rows.append(
            PupilProgress(pupil, cells, competences_reached(profile, objective), reaches_objective(profile, objective))
        )
    return ClassProgress(division, objective, campaigns, rows)


# --- One pupil, for the staff -----------------------------------------------------------------------


def pupil_participations(pupil, school):
    """The pupil's participations in the school's campaigns, newest first, replaced ones included (one query)."""
    return list(
        Participation.objects.filter(pupil=pupil, campaign__school=school)
        .select_related("campaign")
        .order_by("-created_at", "-id")
    )


def pupil_levels(pupil, school):
    """The pupil's latest shared result in each competence (any campaign of the school), by competence code,
    in one query: a later sending replaces an earlier one, as in `pupil_profiles`."""
    rows = (
        CompetenceResult.objects.filter(
            participation__pupil=pupil, participation__campaign__school=school, participation__status=STATUS.SHARED
        )
        .select_related("competence", "participation__campaign")
        .annotate(sent=Coalesce("participation__shared_at", "participation__created_at"))
        .order_by("sent", "participation_id")
    )
    latest = {}
    for result in rows:  # oldest first: the latest result of a competence wins
        latest[result.competence.code] = result
    return [latest[code] for code in sorted(latest)]
