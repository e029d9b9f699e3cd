"""The adaptive engine's bank (crcn.engine.Bank) built from the database, and each process's copy of it.

`load_bank` reads it in two queries: the active skills, then the active challenges with what a page shows of them.
`BankCache` keeps one copy a process, tagged with the version it was read at (`BankVersion`, bumped by every
`load_content`): each use reads the version — from the shared cache (Redis in production), else from its row — and
loads the bank again when it moved. So a process never serves a bank older than the last load_content once that
load has committed, whichever process or server ran it, and no process holds state another one needs.
"""

import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from crcn.engine import Bank, ChallengeInfo, SkillInfo
from crcn.models import BankVersion, Challenge, Skill

VERSION_KEY = "crcn:bank-version"
VERSION_TTL_SECONDS = 60  # a lost cache write heals after this long; load_content sets the key itself


@dataclass(frozen=True)
class ShownChallenge:
    """What the pupil's page and the answer's check read of an active challenge (the fields of `Challenge` they
    use, by the same names), with its competence."""

    id: int
    skill_id: int
    code: str
    type: str
    instruction: str
    proposals: list
    solution: object
    illustration: str
    illustration_alt: str
    attachment: str
    competence_code: str
    competence_title: str


class ServedBank(Bank):
    """The engine's Bank, plus each active challenge as pages show it (`shown`, by id) and its version."""

    def __init__(self, skills, challenges, shown, version):
        super().__init__(skills, challenges)
        self.shown = shown
        self.version = version


_SHOWN_FIELDS = (
    "id", "skill_id", "code", "type", "instruction", "proposals", "solution", "illustration", "illustration_alt",
    "attachment", "skill__tube__competence__code", "skill__tube__competence__title",
)  # fmt: skip


def load_bank(version=None):
    """A bank of the active skills and of their active challenges."""
    skills = [
        SkillInfo(id=skill_id, competence=competence, tube=tube, level=level, pix=pix)
        for skill_id, competence, tube, level, pix in Skill.objects.filter(is_active=True)
        .order_by("id")
        .values_list("id", "tube__competence__code", "tube__code", "level", "pix_value")
    ]
    rows = Challenge.objects.active().filter(skill__is_active=True).order_by("id").values_list(*_SHOWN_FIELDS)
    shown = {row[0]: ShownChallenge(*row) for row in rows}
    challenges = [ChallengeInfo(id=c.id, skill_id=c.skill_id) for c in shown.values()]
    return ServedBank(skills, challenges, shown, version)


def bank_version():
    """The bank's version as every process sees it: the shared cache's copy, else its row (then cached)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = BankVersion.objects.values_list("version", flat=True).first() or 0
        cache.add(VERSION_KEY, version, VERSION_TTL_SECONDS)  # add: never over a newer value load_content set
    return version


def bump_bank_version(model=BankVersion):
    """Inside load_content's transaction: the next version, told to the shared cache once the load commits."""
    if not model.objects.filter(pk=1).update(version=F("version") + 1):
        model.objects.create(pk=1, version=1)
    version = model.objects.values_list("version", flat=True).get(pk=1)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, version, VERSION_TTL_SECONDS))
    return version


class BankCache:
    """A process's bank: loaded again whenever the shared version differs from the one it was read at."""

    def __init__(self):
        self._bank = None
        self._lock = threading.Lock()  # gthread workers: one load at a time

    def get(self):
        version = bank_version()
        bank = self._bank
        if bank is None or bank.version != version:
            with self._lock:
                bank = self._bank
                if bank is None or bank.version != version:
                    # Read after the version: content newer than it only makes the next request load again.
                    bank = self._bank = load_bank(version)
        return bank

    def forget(self):
        self._bank = None


_process_bank = BankCache()


def current_bank():
    """This process's bank, at the version every process sees."""
    return _process_bank.get()


def forget_bank():
    _process_bank.forget()


def shown_challenge(challenge_id, bank=None):
    """The challenge as pages show it: from the bank, else (retired since it was served) from the database."""
    found = (bank if bank is not None else current_bank()).shown.get(challenge_id)
    if found is None:
        row = Challenge.objects.filter(id=challenge_id).values_list(*_SHOWN_FIELDS).first()
        found = ShownChallenge(*row) if row else None
    return found
