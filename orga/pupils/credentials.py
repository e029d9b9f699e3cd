"""Usernames and temporary passwords of pupils' accounts (no Django import).

Username: firstname.lastnameDDMM (birth day and month), accents and anything but
letters and digits removed; a collision gets a digit appended (2, 3, …).
Temporary password: 6 letters without the ambiguous i, l, o, then 2 digits from 2-9.
"""

import re
import secrets
import unicodedata

PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz"
PASSWORD_DIGITS = "23456789"


LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def _slug(text):
    # NFKD splits accents off letters but leaves ligatures whole: spell those out first.
    ascii_text = unicodedata.normalize("NFKD", text.translate(LIGATURES)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def username_base(first_name, last_name, birthdate):
    first = _slug(first_name.split()[0] if first_name.split() else first_name) or "eleve"
    last = _slug(last_name) or "eleve"
    return f"{first}.{last}{birthdate:%d%m}"


def unique_username(base, taken):
    """`base`, or `base` followed by the smallest number from 2 that is not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def candidate_usernames(base, how_many=10):
    """The names `unique_username` is likely to try, to look them up in one query."""
    return [base] + [f"{base}{n}" for n in range(2, how_many + 2)]


def temporary_password():
    letters = "".join(secrets.choice(PASSWORD_LETTERS) for _ in range(6))
    digits = "".join(secrets.choice(PASSWORD_DIGITS) for _ in range(2))
    return letters + digits
