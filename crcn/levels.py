"""The highest level open to pupils, as configured: `settings.PIX_MAX_REACHABLE_LEVEL` (Pix's MAX_REACHABLE_LEVEL).

Every page, form and document reads it here, when it runs: a level scale, its buckets 0..max, a bound.
"""

from django.conf import settings

from .scoring import DEFAULT_MAX_REACHABLE_LEVEL


def max_reachable_level():
    return getattr(settings, "PIX_MAX_REACHABLE_LEVEL", DEFAULT_MAX_REACHABLE_LEVEL)


def level_range():
    """0, 1, … the highest open level: the buckets of a distribution of levels."""
    return range(max_reachable_level() + 1)
