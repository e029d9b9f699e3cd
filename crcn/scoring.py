"""Pix scoring rules, as plain functions (no Django import).

A level is worth 8 pix. A competence's pix are the floor of the pix earned by its
validated skills, capped by the highest level open to users (Pix's
MAX_REACHABLE_LEVEL: 5 by default, hence 40 pix a competence and 640 in all).
"""

from math import floor

PIX_PER_LEVEL = 8
HIGHEST_LEVEL = 8
COMPETENCE_COUNT = 16
DEFAULT_MAX_REACHABLE_LEVEL = 5
CERTIFIABLE_MIN_COMPETENCES = 5
CERTIFIABLE_MIN_LEVEL = 1

# Certification score bands of the 2024 certificate: (lowest score, mesh level, Pix's label), highest first.
CERTIFICATION_BANDS = (
    (896, 8, "Expert 2"),
    (768, 7, "Expert 1"),
    (640, 6, "Avancé 2"),
    (512, 5, "Avancé 1"),
    (384, 4, "Indépendant 2"),
    (256, 3, "Indépendant 1"),
    (128, 2, "Novice 2"),
    (64, 1, "Novice 1"),
)
NO_CERTIFICATION_LEVEL = "-"


def _check_max_level(max_level):
    if not 1 <= max_level <= HIGHEST_LEVEL:
        raise ValueError(f"max_level must be between 1 and {HIGHEST_LEVEL}, got {max_level}")


def max_pix_per_competence(max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    _check_max_level(max_level)
    return PIX_PER_LEVEL * max_level


def max_total_pix(max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """640 with the default max level of 5, 1024 with 8."""
    return COMPETENCE_COUNT * max_pix_per_competence(max_level)


def competence_pix(earned_pix, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """Pix of a competence from the (possibly fractional) pix of its validated skills."""
    total = floor(sum(earned_pix))
    return max(0, min(total, max_pix_per_competence(max_level)))


def level_from_pix(pix, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """Level reached with `pix` pix in one competence: 0-7 → 0, 8-15 → 1, … capped."""
    _check_max_level(max_level)
    if pix < 0:
        raise ValueError("pix cannot be negative")
    return min(floor(pix / PIX_PER_LEVEL), max_level)


def pix_to_next_level(pix, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """Pix still needed to reach the next level, or 0 when the cap is reached."""
    if level_from_pix(pix, max_level) >= max_level:
        return 0
    return PIX_PER_LEVEL - floor(pix) % PIX_PER_LEVEL


def is_certifiable(levels):
    """A profile is certifiable with level ≥ 1 in at least 5 competences."""
    reached = sum(1 for level in levels if level >= CERTIFIABLE_MIN_LEVEL)
    return reached >= CERTIFIABLE_MIN_COMPETENCES


def certification_level(score, max_level=DEFAULT_MAX_REACHABLE_LEVEL):
    """(mesh level, label) of a certification score: (0, "-") under 64, and never above `max_level` (with max
    level 7, 1,024 pix give Expert 1, the band of the top score 895)."""
    _check_max_level(max_level)
    for lowest, level, label in CERTIFICATION_BANDS:
        if score >= lowest and level <= max_level:
            return level, label
    return 0, NO_CERTIFICATION_LEVEL
