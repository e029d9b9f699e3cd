"""Sign-in protection: one policy for every secret a person types.

The four secrets: a password at sign-in (pupils and staff, `adapter.AccountAdapter`; the admin site signs in
there too) or as the current one of a change (`forms.ChangePasswordForm`), a campaign code
(`orga.campaigns.throttle`), a certification session's access code and the candidate's identity
(`certif.invigilation.throttle`), an invigilator's password (the same). Each wrong try is a failure counted at once
against several limits, and a try is refused while any of them is reached:

- first per account (`MAX_PER_ACCOUNT` failures in `WINDOW_SECONDS`): one person's typos or a guess at one account
  stop there. The invigilator, who has no account, counts per browser (its Django session), and per certification
  session far higher (`MAX_PER_SESSION`: guessing one session's password from many browsers);
- then per address (`MAX_PER_ADDRESS`), far above a computer room's needs: a school is many people behind one
  address, and 35 pupils mistyping 3 times each are 105 failures. It only stops guessing spread over many accounts.
  The address is read through the configured proxies only (`client_address`): a forged X-Forwarded-For counts
  for nothing.

The counters live in Django's cache: Redis in production, so that every server counts together. When Redis does not
answer, `fail_safe_cache.FailSafeRedisCache` logs it and counts in each process's memory until it is back: the
limits keep holding, per process (at most `MAX_PER_ACCOUNT` × processes tries per window on one account), and nobody
is refused because of the outage. We fail open, staff included, on purpose: failing closed would lock every teacher
and every invigilator out of a certification day for a cache outage, while a staff password (12 characters at
least, no common one: `password_validation`) does not fall to a few dozen tries a quarter of an hour. If the cache
itself raises (another backend), the error is logged and the try allowed: a school is never blocked by a crash.

A refusal is a French message saying from when to retry and whom to ask (`Refusal.message`). A password reset by
e-mail, or a new temporary password from the teacher, lifts the account's limit on passwords (`forgive`): the
teacher's new sheet is the pupil's way out.
"""

import datetime
import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from .client_address import client_address

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 10  # an account, or a browser without one
MAX_PER_SESSION = 300  # a certification session's number, from many browsers: far above one room
MAX_PER_ADDRESS = 300  # a school's public address: ~3 rooms of 35 pupils making 3 mistakes each

MAXIMA = {
    "account": MAX_PER_ACCOUNT,
    "browser": MAX_PER_ACCOUNT,
    "session": MAX_PER_SESSION,
    "address": MAX_PER_ADDRESS,
}
WHO = {
    "account": "pour ce compte",
    "browser": "depuis ce navigateur",
    "session": "pour cette session",
    "address": "depuis votre établissement",
}


@dataclass(frozen=True)
class Secret:
    slug: str  # in the cache keys
    advice: str  # whom to ask, after "Réessayez à partir de …"


PASSWORD = Secret(
    "mot-de-passe",
    "Élève : vérifiez votre identifiant avec votre professeur, qui peut vous donner un nouveau mot de passe. "
    "Personnel : réinitialisez-le par courriel (lien sous le formulaire).",
)
CAMPAIGN_CODE = Secret("code-parcours", "Vérifiez le code auprès de votre professeur.")
CERTIFICATION_ACCESS = Secret(
    "acces-certification", "Vérifiez le code d'accès et votre identité auprès du surveillant ou de votre professeur."
)
INVIGILATOR_PASSWORD = Secret(
    "surveillant", "Vérifiez le numéro de session et le mot de passe auprès de l'administrateur de l'établissement."
)


@dataclass(frozen=True)
class Refusal:
    secret: Secret
    who: str  # "account", "browser", "session" or "address": the first limit reached
    retry_at: datetime.datetime

    @property
    def message(self):
        at = timezone.localtime(self.retry_at)
        return (
            f"Trop d'essais erronés en peu de temps {WHO[self.who]}. "
            f"Réessayez à partir de {at.hour} h {at.minute:02d}. {self.secret.advice}"
        )


def key(secret, who, value):
    """The cache key counting `secret`'s failures for one account, browser, session or address."""
    return f"signin:{secret.slug}:{who}:{value}"


def typed(text):
    """A typed identifier (a login that matches no account) as a short key part: the same text counts together."""
    return "saisi-" + hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


class Attempt:
    """One try at `secret`: `refusal()` before checking it, `failed()` when it was wrong.

    `subjects` name whom the try is for: ``account=`` a user id (or `typed(login)`), ``browser=`` a session key,
    ``session=`` a certification session's number; empty ones are left out. The address is always counted.
    """

    def __init__(self, request, secret, **subjects):
        self.secret = secret
        self.limits = [
            (key(secret, who, value), MAXIMA[who], who) for who, value in subjects.items() if value not in (None, "")
        ]
        self.limits.append((key(secret, "address", client_address(request)), MAXIMA["address"], "address"))

    def refusal(self):
        try:
            counts = cache.get_many([k for k, _maximum, _who in self.limits])
            reached = [(k, who) for k, maximum, who in self.limits if (counts.get(k) or 0) >= maximum]
            if not reached:
                return None
            deadlines = cache.get_many([f"{k}:jusqu-a" for k, _who in reached])
        except Exception:  # a cache that raises must not block a school: see the module's doc
            logger.exception("Compteurs d'essais illisibles : essai permis (%s)", self.secret.slug)
            return None
        retry_at = max(deadlines.values(), default=None) or time.time() + WINDOW_SECONDS
        return Refusal(self.secret, reached[0][1], datetime.datetime.fromtimestamp(retry_at, tz=datetime.UTC))

    def failed(self):
        try:
            for counter, _maximum, _who in self.limits:
                _count(counter)
        except Exception:  # as in refusal()
            logger.exception("Compteurs d'essais non écrits (%s)", self.secret.slug)


def forgive(user_ids):
    """A new password (reset by e-mail, or a pupil's new sheet from the teacher): its account may sign in at once."""
    try:
        cache.delete_many([key(PASSWORD, "account", user_id) for user_id in user_ids])
    except Exception:  # as in refusal()
        logger.exception("Compteurs d'essais non effacés")


def _count(counter, window_seconds=WINDOW_SECONDS):
    """One more failure; a new counter also records when its window ends (for `Refusal.retry_at`)."""
    if not cache.add(counter, 1, window_seconds):
        try:
            cache.incr(counter)
            return
        except ValueError:  # expired between add and incr: a new window
            cache.set(counter, 1, window_seconds)
    cache.set(f"{counter}:jusqu-a", time.time() + window_seconds, window_seconds)


# Lookups that are no typed secret (the verification page, the LSU/LSL API's tokens) count per address with the
# same counters: a limit is a (cache key, maximum) pair.


def is_over(limits):
    return any((cache.get(k) or 0) >= maximum for k, maximum in limits)


def count_failure(limits, window_seconds):
    for counter, _maximum in limits:
        _count(counter, window_seconds)
