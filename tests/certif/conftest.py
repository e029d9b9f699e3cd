import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from .helpers import make_session


@pytest.fixture
def on_4_december_2026(monkeypatch):
    """Today is 4 December 2026 (school year 2026-2027), whenever the suite runs."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))


@pytest.fixture(autouse=True)
def _empty_cache():
    """The throttles count in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def session(school):
    return make_session(school)
