"""Checking a pupil's answer against a challenge's solution (no Django import)."""

import re
import unicodedata


def normalize(text):
    """Case, accents, punctuation at the ends and inner spaces do not matter in short answers."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .;:!?\"'«»")


def is_correct(challenge_type, solution, given):
    """`given`: an index (qcu), a list of indexes (qcm) or a text (qroc)."""
    if challenge_type == "qcu":
        return given is not None and int(given) == int(solution)
    if challenge_type == "qcm":
        return sorted(int(g) for g in given) == sorted(int(s) for s in solution)
    if challenge_type == "qroc":
        answer = normalize(given)
        return bool(answer) and any(answer == normalize(accepted) for accepted in solution)
    raise ValueError(f"unknown challenge type {challenge_type!r}")
