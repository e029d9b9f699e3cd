"""The adaptive engine's bank (crcn.engine.Bank) built from the database: one query for the active skills,
one for the active challenges."""

from crcn.engine import Bank, ChallengeInfo, SkillInfo
from crcn.models import Challenge, Skill


def load_bank():
    """An engine Bank of the active skills and of their active challenges."""
    skills = [
        SkillInfo(id=skill_id, competence=competence, tube=tube, level=level, pix=pix)
        for skill_id, competence, tube, level, pix in Skill.objects.filter(is_active=True)
        .order_by("id")
        .values_list("id", "tube__competence__code", "tube__code", "level", "pix_value")
    ]
    challenges = [
        ChallengeInfo(id=challenge_id, skill_id=skill_id)
        for challenge_id, skill_id in Challenge.objects.active()
        .filter(skill__is_active=True)
        .order_by("id")
        .values_list("id", "skill_id")
    ]
    return Bank(skills, challenges)
