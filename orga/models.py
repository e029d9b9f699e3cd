"""The app's models, each defined in its room (see ARCHITECTURE.md); Django and the migrations read them here."""

from .audit.models import AuditEvent, AuditEventQuerySet
from .campaigns.models import (
    CODE_DIGITS,
    CODE_LETTERS,
    Answer,
    Campaign,
    CampaignQuerySet,
    CampaignStats,
    CampaignTotal,
    CompetenceResult,
    Participation,
    ParticipationQuerySet,
    new_seed,
)
from .classes.models import ClassObjective, Resource, ResourceQuerySet, resource_upload_path
from .pix_imports.models import PixCampaignImport, PixImport, pix_upload_path
from .pupils.models import Division, Pupil, SiecleImport, import_upload_path
from .results.models import Report, report_upload_path
from .schools.models import (
    Invitation,
    InvitationQuerySet,
    Membership,
    School,
    SchoolQuerySet,
    current_school_year,
    validate_uai,
)

__all__ = [
    "CODE_DIGITS",
    "CODE_LETTERS",
    "Answer",
    "AuditEvent",
    "AuditEventQuerySet",
    "Campaign",
    "CampaignQuerySet",
    "CampaignStats",
    "CampaignTotal",
    "ClassObjective",
    "CompetenceResult",
    "Division",
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "Participation",
    "PixCampaignImport",
    "PixImport",
    "ParticipationQuerySet",
    "Pupil",
    "Report",
    "Resource",
    "ResourceQuerySet",
    "School",
    "SchoolQuerySet",
    "SiecleImport",
    "current_school_year",
    "import_upload_path",
    "new_seed",
    "pix_upload_path",
    "report_upload_path",
    "resource_upload_path",
    "validate_uai",
]
