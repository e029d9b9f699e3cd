"""Counts in French words: the helper lives in `documents` so that every app may use it."""

from documents.wording import count_of

__all__ = ["count_of"]
