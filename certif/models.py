"""The app's models, each defined in its room (see ARCHITECTURE.md); Django and the migrations read them here."""

from .course.models import CertificationAlert, CertificationCourse, CertificationQuestion, InChallengeProblem
from .documents.models import SessionDocument
from .finalisation.models import IssueCategory, IssueReport
from .handover.models import ApiClient, HandOver
from .pix_imports.models import PixSessionImport
from .results.models import CertificationResult
from .sessions.models import (
    AbortReason,
    Candidate,
    Grade,
    Invigilator,
    NationalWindow,
    NationalWindowQuerySet,
    Session,
    SessionQuerySet,
)

__all__ = [
    "ApiClient",
    "HandOver",
    "AbortReason",
    "CertificationAlert",
    "CertificationCourse",
    "CertificationQuestion",
    "CertificationResult",
    "InChallengeProblem",
    "IssueCategory",
    "IssueReport",
    "Candidate",
    "Grade",
    "Invigilator",
    "NationalWindow",
    "NationalWindowQuerySet",
    "PixSessionImport",
    "Session",
    "SessionDocument",
    "SessionQuerySet",
]
