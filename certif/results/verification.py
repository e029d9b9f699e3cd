"""The verification code's format, pure: "P-" and 8 characters of an alphabet without look-alikes (no 0/O, 1/I,
5/S, A, E, U...), as on Pix's certificates. Drawing and checking only; giving codes to results: codes.py."""

import re
import secrets

ALPHABET = "2346789BCDFGHJKMPQRTVWXY"
PREFIX = "P-"
LENGTH = 8
_PATTERN = re.compile(rf"P-[{ALPHABET}]{{{LENGTH}}}")


def generate(choice=secrets.choice):
    """A code drawn with `choice` (a function picking one item of a sequence; secrets.choice by default)."""
    return PREFIX + "".join(choice(ALPHABET) for _ in range(LENGTH))


def normalise(text):
    """The code as typed, upper-cased, spaces removed, the dash added when it was left out."""
    code = re.sub(r"\s+", "", text or "").upper()
    if len(code) == LENGTH + 1 and code.startswith("P"):
        code = PREFIX + code[1:]
    return code


def is_verification_code(text):
    return bool(_PATTERN.fullmatch(text or ""))
