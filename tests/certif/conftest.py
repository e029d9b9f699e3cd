import pytest
from django.core.cache import cache

from .helpers import make_session


@pytest.fixture(autouse=True)
def _empty_cache():
    """The throttles count in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def session(school):
    return make_session(school)
