"""The app's models, each defined in its room (see ARCHITECTURE.md); Django and the migrations read them here."""

from .sessions.models import (
    Candidate,
    Grade,
    Invigilator,
    NationalWindow,
    NationalWindowQuerySet,
    Session,
    SessionQuerySet,
)

__all__ = [
    "Candidate",
    "Grade",
    "Invigilator",
    "NationalWindow",
    "NationalWindowQuerySet",
    "Session",
    "SessionQuerySet",
]
