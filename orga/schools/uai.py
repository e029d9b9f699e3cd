"""UAI (Unité administrative immatriculée): 7 digits and a key letter (no Django import).

The key is "ABCDEFGHJKLMNPRSTUVWXYZ"[n mod 23], n being the 7 digits as a number.
"""

import re

KEY_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_PATTERN = re.compile(r"[0-9]{7}[A-Z]")  # ASCII only: \d would take full-width and Arabic digits


def uai_key(digits):
    return KEY_LETTERS[int(digits) % 23]


def normalize_uai(value):
    return (value or "").strip().upper()


def is_valid_uai(value):
    value = normalize_uai(value)
    return bool(UAI_PATTERN.fullmatch(value)) and uai_key(value[:7]) == value[7]


def uai_error(value):
    """A French message saying why `value` is not a UAI, or None when it is one."""
    value = normalize_uai(value)
    if not UAI_PATTERN.fullmatch(value):
        example = "0750001" + uai_key("0750001")
        shown = value if len(value) <= 20 else value[:19] + "…"
        return f"« {shown} » n'est pas un UAI : 7 chiffres suivis d'une lettre sont attendus (ex. {example})."
    expected = uai_key(value[:7])
    if value[7] != expected:
        return f"L'UAI « {value} » a une clé incorrecte : la lettre attendue après {value[:7]} est {expected}."
    return None
