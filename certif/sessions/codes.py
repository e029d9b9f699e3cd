"""The codes a session gets when it is created (no Django import): its number, the candidates' access code and
the invigilator's password. Each is drawn at random; the caller draws again when one is already taken."""

import secrets

# Letters and digits that read unambiguously when written on a board or printed (no vowel: no word).
CONSONANTS = "BCDFGHJKMNPQRSTVWXZ"  # no L (read as 1)
DIGITS = "23456789"  # no 0 or 1
PASSWORD_ALPHABET = "2346789BCDFGHJKMPQRTVWXY"  # the alphabet of Pix's verification codes
PASSWORD_LENGTH = 6
NUMBER_LOW, NUMBER_HIGH = 100_000, 999_999


def access_code(rng=None):
    """Four consonants then two digits, e.g. "BKTR47"."""
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(CONSONANTS) for _ in range(4)) + "".join(rng.choice(DIGITS) for _ in range(2))


def invigilator_password(rng=None):
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def session_number(rng=None):
    """Six digits: short enough to type, and saying nothing of how many sessions exist."""
    rng = rng or secrets.SystemRandom()
    return rng.randint(NUMBER_LOW, NUMBER_HIGH)


def is_access_code(text):
    return len(text) == 6 and all(c in CONSONANTS for c in text[:4]) and all(c in DIGITS for c in text[4:])
