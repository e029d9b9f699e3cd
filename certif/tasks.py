"""Celery's autodiscovery reads `certif.tasks` only: it names every room's tasks so that workers know them."""

from .documents.tasks import build_session_document

__all__ = ["build_session_document"]
