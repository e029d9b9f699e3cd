"""Celery's autodiscovery reads `certif.tasks` only: it names every room's tasks so that workers know them."""

from .documents.tasks import build_session_document
from .pix_imports.tasks import run_pix_session_import

__all__ = ["build_session_document", "run_pix_session_import"]
