"""Does the identity a candidate types match the enrolment copy? (no Django import)

Names compare without case, accents, spaces at the ends or doubled, and with hyphens and apostrophes read as
spaces: "Lea  martin" is "Léa MARTIN". The birth date must be the same day.
"""

from orga.pupils.names import normalized_name


def names_match(typed, *enrolled):
    """True when `typed` is one of the enrolled names (e.g. the birth name or the preferred name)."""
    wanted = normalized_name(typed)
    return bool(wanted) and any(wanted == normalized_name(name) for name in enrolled if name)


def identity_matches(*, last_name, first_name, birthdate, enrolled_last_names, enrolled_first_name, enrolled_birthdate):
    return (
        names_match(last_name, *enrolled_last_names)
        and names_match(first_name, enrolled_first_name)
        and birthdate is not None
        and birthdate == enrolled_birthdate
    )
