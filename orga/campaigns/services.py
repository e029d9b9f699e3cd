"""Campaigns and participations: creating a campaign, joining it with a code, the adaptive test.

The engine (crcn.engine) is pure; this module loads and saves around it. Every answer is
saved before the next challenge is served, so a test resumes where it stopped, and an
answer posted twice counts once.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from crcn import engine
from crcn.answers import is_correct
from crcn.bank import ShownChallenge, current_bank, shown_challenge
from crcn.bank import forget_bank as forget_bank  # the name tests and demos have always used
from crcn.levels import max_reachable_level
from crcn.models import Challenge, Competence

from .models import Answer, Campaign, CompetenceResult, Participation
from .stats import record_results

# --- Campaigns ----------------------------------------------------------------------------------


def create_campaign(*, school, owner, name, type, competence_codes, divisions=(), preset="", **fields):
    for _ in range(20):
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    school=school, owner=owner, name=name, type=type, preset=preset, code=Campaign.new_code(), **fields
                )
                campaign.competences.set(Competence.objects.filter(code__in=competence_codes))
                campaign.divisions.set(divisions)
                return campaign
        except IntegrityError:  # the code was taken: draw another
            continue
    raise RuntimeError("no free campaign code after 20 draws")


def normalize_code(code):
    return "".join((code or "").split()).upper()


# --- Joining ------------------------------------------------------------------------------------


class JoinError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_can_join(campaign, user):
    """The pupil who may take `campaign`, or a JoinError saying in French why not."""
    pupil = getattr(user, "pupil", None)
    if pupil is None:
        raise JoinError(
            "Les codes de parcours sont réservés aux élèves. Pour suivre ce parcours, ouvrez-le depuis "
            "l'espace de l'établissement."
        )
    if campaign.school_id != pupil.school_id:
        raise JoinError(
            "Ce code correspond au parcours d'un autre établissement. Vérifiez le code donné par votre professeur."
        )
    if campaign.is_imported_from_pix:
        raise JoinError(
            "Ce parcours a été passé sur pix.fr : ses résultats ont été importés ici, on ne peut pas y participer."
        )
    if campaign.is_archived:
        raise JoinError("Ce parcours est archivé : il n'est plus possible d'y participer. Demandez un nouveau code.")
    if not pupil.is_active:
        raise JoinError(
            "Votre inscription dans l'établissement n'est plus active : adressez-vous au secrétariat ou à votre "
            "professeur."
        )
    target = list(campaign.divisions.all())
    if target and pupil.division_id not in {d.id for d in target}:
        names = ", ".join(d.name for d in target)
        raise JoinError(
            f"Ce parcours est destiné à d'autres classes ({names}). Vérifiez le code avec votre professeur."
        )
    return pupil


def start_or_resume(campaign, pupil):
    with transaction.atomic():
        current = Participation.objects.select_for_update().current().filter(campaign=campaign, pupil=pupil).first()
        if current is not None and current.status != Participation.Status.SHARED:
            return current
        if current is not None:
            if not campaign.multiple_sendings:
                raise JoinError(
                    "Vous avez déjà envoyé vos résultats pour ce parcours. Il n'autorise pas de nouvelle participation."
                )
            current.is_improved = True
            current.save(update_fields=["is_improved"])
        participation = Participation.objects.create(campaign=campaign, pupil=pupil)
        record_results(participation)  # one more started in the class (and an earlier one replaced)
        return participation


# --- The test -----------------------------------------------------------------------------------


def competence_codes(campaign):
    return sorted(campaign.competences.values_list("code", flat=True))


_started_codes = {}  # (campaign id, created_at) -> its competence codes, in this process
_STARTED_CODES_KEPT = 10_000


def _codes_of_started(campaign):
    """The competence codes of a campaign a pupil has started, read once a process: they no longer change once a
    pupil has started (the campaign's form locks them). Keyed by the campaign's creation too, so that an id used
    again (a test database) is never taken for the old campaign."""
    key = (campaign.id, campaign.created_at)
    codes = _started_codes.get(key)
    if codes is None:
        links = Campaign.competences.through.objects.filter(campaign_id=campaign.id)
        codes = sorted(links.values_list("competence__code", flat=True))
        if len(_started_codes) >= _STARTED_CODES_KEPT:
            _started_codes.clear()
        _started_codes[key] = codes
    return codes


def _answers_info(participation):
    return [
        engine.AnswerInfo(challenge_id=challenge_id, skill_id=skill_id, correct=result == Answer.Result.OK)
        for challenge_id, skill_id, result in participation.answers.order_by("id").values_list(
            "challenge_id", "skill_id", "result"
        )
    ]


@dataclass
class Served:
    challenge: ShownChallenge | None
    competence_codes: list
    answered: int


def pupils_participation(participation_id, user):
    """The participation `user` takes as a pupil, with its campaign and pupil, in one query; None if not theirs.

    The pupil is kept on the user as if the view had read `user.pupil`: the navigation's role_of needs no query.
    """
    participation = (
        Participation.objects.select_related("campaign", "pupil").filter(id=participation_id, pupil__user=user).first()
    )
    if participation is not None:
        participation.pupil.user = user
        user._state.fields_cache["pupil"] = participation.pupil
    return participation


def serve(participation):
    """What to show now: the challenge already served, else the engine's next (None once finished).

    The next challenge is chosen, or the test finished, under the participation's row lock (the one answers
    take) and after reading its state again: requests at the same moment (two tabs, a reload, a double submit)
    choose once and finish once, and the others show what the first did. The served challenge comes from the
    process's bank (crcn/bank.py): no query.
    """
    codes = _codes_of_started(participation.campaign)
    if participation.status != Participation.Status.STARTED:
        return Served(None, codes, 0)
    if not participation.current_challenge_id:
        with transaction.atomic():
            _lock(participation)
            if participation.status == Participation.Status.STARTED and not participation.current_challenge_id:
                _advance(participation, codes, _answers_info(participation))
        if participation.status != Participation.Status.STARTED:
            return Served(None, codes, participation.answer_count)
    return Served(shown_challenge(participation.current_challenge_id), codes, participation.answer_count)


def _advance(participation, codes, answers, bank=None):
    """Under the participation's row lock: serve the engine's next challenge, or finish the test. One UPDATE."""
    bank = bank if bank is not None else current_bank()
    chosen = engine.next_challenge(bank, codes, answers, participation.seed, max_level=max_reachable_level())
    participation.answer_count = len(answers)
    if chosen is None:
        finish(participation, codes, answers)
    else:
        participation.current_challenge_id = chosen.id
        Participation.objects.filter(pk=participation.pk).update(
            current_challenge_id=chosen.id, answer_count=len(answers)
        )


_LOCKED_FIELDS = ("status", "current_challenge_id", "pix", "finished_at", "shared_at", "answer_count")


def _lock(participation):
    """Take the participation's row lock (inside a transaction) and read again what other requests change."""
    fresh = Participation.objects.select_for_update().values(*_LOCKED_FIELDS).get(pk=participation.pk)
    for field, value in fresh.items():
        setattr(participation, field, value)


class TamperedAnswer(Exception):
    pass


def record_answer(participation_id, user, challenge_id, value, skipped=False):
    """Save the pupil's answer to the served challenge, then serve the next or finish the test.

    `user` is the pupil's account. False when it was already saved (double submit). Five queries: the
    participation locked with its campaign, its answers, the answer written, the next challenge written (the
    campaign's codes and the challenge come from the process's memory).
    """
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(id=participation_id, pupil__user=user)
            .first()
        )
        if participation is None:
            raise TamperedAnswer("not this pupil's participation")
        answers = _answers_info(participation)
        if any(answer.challenge_id == challenge_id for answer in answers):
            return False
        if participation.status != Participation.Status.STARTED or participation.current_challenge_id != challenge_id:
            raise TamperedAnswer("challenge not served")
        bank = current_bank()
        challenge = shown_challenge(challenge_id, bank)
        if skipped:
            result, stored = Answer.Result.SKIPPED, ""
        else:
            correct = check_answer(challenge, value)
            result = Answer.Result.OK if correct else Answer.Result.KO
            stored = value if isinstance(value, str) else ",".join(str(v) for v in value)
        Answer.objects.create(
            participation=participation,
            challenge_id=challenge.id,
            skill_id=challenge.skill_id,
            value=stored,
            result=result,
        )
        answers.append(
            engine.AnswerInfo(
                challenge_id=challenge.id, skill_id=challenge.skill_id, correct=result == Answer.Result.OK
            )
        )
        # The next challenge is chosen, or the test finished, under the same lock: the page that follows only reads.
        participation.current_challenge_id = None
        _advance(participation, _codes_of_started(participation.campaign), answers, bank)
    return True


def check_answer(challenge, value):
    """Whether `value` (an index, a list of indexes or a text, as posted) answers `challenge` right; a malformed
    value is a wrong answer."""
    try:
        if challenge.type == Challenge.Type.SINGLE:
            return is_correct("qcu", challenge.solution, int(value))
        if challenge.type == Challenge.Type.MULTIPLE:
            return is_correct("qcm", challenge.solution, [int(v) for v in value])
        return is_correct("qroc", challenge.solution, value)
    except (TypeError, ValueError):
        return False


def finish(participation, codes=None, answers=None):
    """Compute and store the results, then send them to the school (as Pix now does, automatically).

    Once: under the participation's row lock, if it is still started (False when another request finished it).
    `answers`, if given, were read under that lock.
    """
    with transaction.atomic():
        _lock(participation)
        if participation.status != Participation.Status.STARTED:
            return False
        codes = codes if codes is not None else competence_codes(participation.campaign)
        answers = answers if answers is not None else _answers_info(participation)
        participation.answer_count = len(answers)
        results = engine.competence_results(current_bank(), codes, answers, max_reachable_level())
        competences = {c.code: c for c in Competence.objects.filter(code__in=codes)}
        store_results(participation, competences, results)
        participation.status = Participation.Status.TO_SHARE
        participation.finished_at = timezone.now()
        participation.current_challenge = None
        participation.save()
        share(participation)
    return True


def store_results(participation, competences, results):
    """Save the engine's results per competence and the participation's total (not saved here)."""
    CompetenceResult.objects.bulk_create(
        [
            CompetenceResult(
                participation=participation,
                competence=competences[code],
                pix=result.pix,
                level=result.level,
                validated_skills=sorted(result.validated_skill_ids),
                tested_skills=len(result.tested_skill_ids),
            )
            for code, result in results.items()
        ]
    )
    participation.pix = sum(result.pix for result in results.values())


def share(participation):
    """Send finished results to the school, and count them in the campaign's aggregates."""
    if participation.status == Participation.Status.TO_SHARE:
        with transaction.atomic():
            participation.status = Participation.Status.SHARED
            participation.shared_at = timezone.now()
            participation.save(update_fields=["status", "shared_at"])
            record_results(participation)
