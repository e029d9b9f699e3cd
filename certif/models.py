"""The app's models, each defined in its room (see ARCHITECTURE.md); Django and the migrations read them here."""

from .candidates.models import Candidate
from .sessions.models import Grade, Invigilator, NationalWindow, NationalWindowQuerySet, Session, SessionQuerySet

__all__ = [
    "Candidate",
    "Grade",
    "Invigilator",
    "NationalWindow",
    "NationalWindowQuerySet",
    "Session",
    "SessionQuerySet",
]
