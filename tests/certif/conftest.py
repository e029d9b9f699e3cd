import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def on_4_december_2026(monkeypatch):
    """Today is 4 December 2026 (school year 2026-2027), whenever the suite runs."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))
