"""Each step of the checklist has its window in the school year, computed from the school calendar of the school's
zone and the national certification window of its pupils:

1-3  pre-rentrée → the eve of the Toussaint holidays;
4    the return from Toussaint (early November) → the eve of the Christmas holidays;
5    collège: the return in January → the eve of the winter holidays; lycée (certification from November): the
     pre-rentrée → the eve of the certification window;
6    the national certification window.

Two queries whatever the school: the year's calendars and the year's national windows.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from certif.sessions.models import Grade, NationalWindow
from orga.models import School

from .models import SchoolCalendar
from .zones import zone_of

DAY = datetime.timedelta(days=1)


class StepState(NamedTuple):
    code: str
    label: str
    badge: str  # the DSFR badge's class


class State:
    """A step's state, in words (never colour alone) and its DSFR badge."""

    UPCOMING = StepState("a_venir", "À venir", "fr-badge--info")
    CURRENT = StepState("en_cours", "En cours", "fr-badge--new")
    OVERDUE = StepState("en_retard", "En retard", "fr-badge--error")
    DONE = StepState("fait", "Fait", "fr-badge--success")


def state_of(done, starts_on, ends_on, today):
    """The step's state on `today`: done first, then by its window; None when it has no window."""
    if done:
        return State.DONE
    if starts_on is None or ends_on is None:
        return None
    if today < starts_on:
        return State.UPCOMING
    if today > ends_on:
        return State.OVERDUE
    return State.CURRENT


@dataclass
class Window:
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


def certification_grades(school: School):
    return [Grade.THIRD] if school.type == School.Type.COLLEGE else [Grade.TERMINALE, Grade.CAP, Grade.BTS_CPGE]


def _calendar(school: School, school_year):
    """The calendar of the school's zone; with no zone known (Corse, overseas, an académie left blank), the zone
    whose winter holidays come first, so that no step is shown later than it is."""
    calendars = list(SchoolCalendar.objects.filter(school_year=school_year).order_by("winter_starts", "zone"))
    zone = zone_of(school.academie)
    return next((c for c in calendars if c.zone == zone), calendars[0] if calendars else None)


def _certification_window(school: School, school_year):
    """The national window of the school's pupils: for a lycée, from the first window's start to the last one's end."""
    windows = list(NationalWindow.objects.filter(school_year=school_year, grade__in=certification_grades(school)))
    if not windows:
        return Window()
    return Window(min(w.starts_on for w in windows), max(w.ends_on for w in windows))


def step_windows(school: School, school_year):
    """{step number: Window} for the school year; a Window without dates when the calendar is not known."""
    calendar = _calendar(school, school_year)
    certification = _certification_window(school, school_year)
    if calendar is None:
        return {number: Window() for number in range(1, 6)} | {6: certification}
    start = Window(calendar.pre_rentree, calendar.toussaint_starts - DAY)
    if school.type == School.Type.COLLEGE:
        preparing = Window(calendar.christmas_ends, calendar.winter_starts - DAY)
    else:
        preparing = Window(
            calendar.pre_rentree,
            certification.starts_on - DAY if certification.starts_on else calendar.toussaint_starts - DAY,
        )
    return {
        1: start,
        2: start,
        3: start,
        4: Window(calendar.toussaint_ends, calendar.christmas_starts - DAY),
        5: preparing,
        6: certification,
    }
