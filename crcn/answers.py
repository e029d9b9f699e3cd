"""Checking a pupil's answer against a challenge's solution, and the order its proposals are shown in
(no Django import)."""

import hashlib
import random
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


def proposal_seed(owner, challenge_code):
    """The seed of a challenge's proposals for one test: `owner` names the test taken (e.g. "participation-12",
    "certification-7"), so that each test has its own orders and reloading a page keeps them."""
    return f"{owner}:{challenge_code}"


def proposal_order(seed, count):
    """The file indexes of `count` proposals in the order they are shown: a permutation drawn from `seed` (a text).

    The same seed always gives the same order (stable across reloads and on re-display); another seed,
    another order, so that neither the file's order (where the right answer may sit in a habitual place)
    nor a neighbour's screen tells the answer. The answers stay file indexes: checking them is unchanged.
    """
    # sha256, not hash(): Python salts the hash of a text differently in every process.
    digest = hashlib.sha256(str(seed).encode("utf-8")).digest()
    order = list(range(count))
    random.Random(int.from_bytes(digest, "big")).shuffle(order)
    return order


def shown_proposals(seed, proposals):
    """[(file index, proposal)] in the shown order: the form posts the file index, whatever the position."""
    return [(index, proposals[index]) for index in proposal_order(seed, len(proposals))]
