"""Celery's autodiscovery reads `orga.tasks` only: it names every room's tasks so that workers know them."""

from .pix_imports.tasks import run_pix_campaign_import
from .pupils.tasks import run_siecle_import
from .results.tasks import run_report
from .schools.tasks import expire_invitations

__all__ = ["expire_invitations", "run_pix_campaign_import", "run_report", "run_siecle_import"]
