"""Loads the challenge bank (crcn/content/*.json) into the database.

The files are the source of truth: `load_content` validates them all (see content_rules.py), then in one
transaction upserts tubes, tutorials, skills and challenges by code. What left the files is never deleted
where answers may refer to it: challenges are retired (and come back active when they reappear), skills
become inactive (their pix value is kept for past results). Tutorials that left the files are deleted
(nothing refers to them).

`upsert_content` takes the model classes, so that a data migration can call it with the historical models
(crcn/migrations/0004_load_content.py); a new version of the files ships with a new migration that calls it
again, or with `python manage.py load_content`.
"""

from django.db import transaction

from .content_rules import CONTENT_DIR, ContentError, pix_values, read_content, validate_content

__all__ = ["CONTENT_DIR", "ContentError", "load_content", "upsert_content"]

ACTIVE, RETIRED = "active", "retired"  # Challenge.Status, spelled out for the historical models


def _count(report, kind, created):
    report[kind]["created" if created else "updated"] += 1


def upsert_content(data_by_file, *, Competence, Tube, Tutorial, Skill, Challenge):
    """Writes validated data; returns the report. Call it inside a transaction."""
    report = {kind: {"created": 0, "updated": 0} for kind in ("tubes", "tutorials", "skills", "challenges")}
    competences = {c.code: c for c in Competence.objects.all()}
    pix_of = pix_values(data_by_file)
    tutorial_has_level = any(field.name == "level" for field in Tutorial._meta.get_fields())
    tutorial_codes, skill_codes, challenge_codes = set(), set(), set()
    for data in sorted(data_by_file.values(), key=lambda d: d["competence"]):
        for tube_data in data["tubes"]:
            tube, created = Tube.objects.update_or_create(
                code=tube_data["code"],
                defaults={
                    "competence": competences[data["competence"]],
                    "title": tube_data["title"],
                    "description": tube_data.get("description", ""),
                },
            )
            _count(report, "tubes", created)
            for tutorial in tube_data["tutorials"]:
                defaults = {
                    "tube": tube,
                    "title": tutorial["title"],
                    "url": tutorial["url"],
                    "duration_minutes": tutorial["duration_minutes"],
                    "format": tutorial["format"],
                    "source": tutorial.get("source", ""),
                    "level": tutorial["level"],
                }
                if not tutorial_has_level:  # the historical model of migration 0004, before 0005 added it
                    del defaults["level"]
                _, created = Tutorial.objects.update_or_create(code=tutorial["code"], defaults=defaults)
                tutorial_codes.add(tutorial["code"])
                _count(report, "tutorials", created)
            for skill_data in tube_data["skills"]:
                skill, created = Skill.objects.update_or_create(
                    code=skill_data["code"],
                    defaults={
                        "tube": tube,
                        "level": skill_data["level"],
                        "pix_value": pix_of[skill_data["code"]],
                        "is_active": True,
                    },
                )
                skill_codes.add(skill.code)
                _count(report, "skills", created)
                for challenge in skill_data["challenges"]:
                    _, created = Challenge.objects.update_or_create(
                        code=challenge["code"],
                        defaults={
                            "skill": skill,
                            "type": challenge["type"],
                            "instruction": challenge["instruction"],
                            "proposals": challenge.get("proposals", []),
                            "solution": challenge["solution"],
                            "explanation": challenge["explanation"],
                            "illustration": challenge.get("illustration", ""),
                            "illustration_alt": challenge.get("illustration_alt", ""),
                            "attachment": challenge.get("attachment", ""),
                            "status": ACTIVE,
                        },
                    )
                    challenge_codes.add(challenge["code"])
                    _count(report, "challenges", created)
    report["challenges"]["retired"] = (
        Challenge.objects.exclude(code__in=challenge_codes).exclude(status=RETIRED).update(status=RETIRED)
    )
    report["skills"]["deactivated"] = (
        Skill.objects.exclude(code__in=skill_codes).filter(is_active=True).update(is_active=False)
    )
    report["tutorials"]["deleted"], _ = Tutorial.objects.exclude(code__in=tutorial_codes).delete()
    report["versions"] = {data["competence"]: data["version"] for data in data_by_file.values()}
    return report


def current_models():
    from .models import Challenge, Competence, Skill, Tube, Tutorial

    return {"Competence": Competence, "Tube": Tube, "Tutorial": Tutorial, "Skill": Skill, "Challenge": Challenge}


def load_content(directory=CONTENT_DIR, *, models=None):
    """Validates every file of `directory`, then writes them all or nothing (raises ContentError)."""
    data_by_file = read_content(directory)
    if not data_by_file:
        raise ContentError([f"Aucun fichier .json dans {directory}."])
    errors = validate_content(data_by_file)
    if errors:
        raise ContentError(errors)
    historical = models is not None  # a migration's models: the bank's version has no table yet
    models = models or current_models()
    missing = sorted(
        {d["competence"] for d in data_by_file.values()}
        - set(models["Competence"].objects.values_list("code", flat=True))
    )
    if missing:
        raise ContentError([f"Compétence(s) absente(s) de la base : {', '.join(missing)} (migrer d'abord)."])
    with transaction.atomic():
        report = upsert_content(data_by_file, **models)
        if not historical:
            from .bank import bump_bank_version

            bump_bank_version()  # every process loads the bank again (crcn/bank.py)
        return report
