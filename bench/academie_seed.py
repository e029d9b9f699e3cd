"""The schools of an académie seeded in bulk for bench/academie.py (imported after django.setup()).

Each school is stored as the app stores it, in a few bulk inserts a table rather than through its forms: its
admin and a teacher following two classes, a done SIECLE import, classes and pupils each with an account (no
password), a profiles collection on the 16 competences for every class and an assessment on 5 competences for
half of them, their participations (8 in 10 with results sent, 1 in 10 waiting, 1 in 10 still testing), each
finished one with its results per competence (level, pix, validated skills) and its answers. The measured
school gets its pupils from a real SIECLE import instead (`seed_activity` alone).
"""

import datetime
import io
import json
import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from throwaway import throwaway_pupils

from crcn.models import Challenge, Competence
from orga.models import (
    Answer,
    Campaign,
    CompetenceResult,
    Division,
    Membership,
    Participation,
    Pupil,
    School,
    SiecleImport,
)
from orga.pupils.importing import empty_report
from orga.pupils.siecle_sample import division_names
from orga.schools.uai import uai_key

PREFIX = "0998"  # UAIs 0998000x … 0998299x: the académie's schools (other benches use 0999990-0999992)
PER_CLASS = 28
ASSESSED = ("1.1", "1.2", "2.1", "3.1", "4.1")  # the assessment campaign's competences
ANSWERS_PER_COMPETENCE = 1


def academie_uai(index):
    digits = f"{PREFIX}{index:03d}"
    return digits + uai_key(digits)


def class_names(pupils_per_school):
    return division_names(max(2, -(-pupils_per_school // PER_CLASS)))


class Bank:
    """What the seeding reads of the challenge bank once: competences, and per competence its active skills
    (id, level) and a few challenges (id, skill id)."""

    def __init__(self):
        self.competences = {c.code: c for c in Competence.objects.all()}
        self.skills, self.challenges = {}, {}
        rows = Challenge.objects.filter(skill__is_active=True).values_list(
            "id", "skill_id", "skill__level", "skill__tube__competence__code"
        )
        for challenge_id, skill_id, level, code in rows.order_by("id"):
            self.skills.setdefault(code, {})[skill_id] = level
            self.challenges.setdefault(code, []).append((challenge_id, skill_id))


def seed_people(school, pupils_per_school, seed):
    """The school's classes, its pupils (spread over classes of 28) and their accounts, in bulk."""
    pupils = throwaway_pupils(school, class_names(pupils_per_school), pupils_per_school, seed)
    SiecleImport.objects.create(
        school=school,
        original_name="ElevesSansAdresses.xml",
        status=SiecleImport.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
        report={**empty_report(), "created": len(pupils)},
    )
    return pupils


def give_accounts(school, pupils):
    """An account for each pupil without one, named bench.<uai>.<n> (no password: the sign-in is not measured)."""
    User = get_user_model()
    pupils = [p for p in pupils if p.user_id is None]
    users = User.objects.bulk_create(
        [User(username=f"bench.{school.uai}.{n}", password="!", first_name=p.first_name) for n, p in enumerate(pupils)],
        batch_size=1000,
    )
    for pupil, user in zip(pupils, users, strict=True):
        pupil.user = user
    Pupil.objects.bulk_update(pupils, ["user"], batch_size=1000)


def seed_staff(school):
    """The school's admin (bench.admin.<uai>) and a teacher (bench.<uai>.prof)."""
    User = get_user_model()
    admin = User.objects.create(username=f"bench.admin.{school.uai}", password="!")
    teacher = User.objects.create(username=f"bench.{school.uai}.prof", password="!")
    Membership.objects.create(school=school, user=admin, role=Membership.Role.ADMIN)
    membership = Membership.objects.create(school=school, user=teacher, role=Membership.Role.MEMBER)
    return admin, teacher, membership


def seed_activity(school, pupils, admin, membership, bank, rng):
    """The school's two campaigns, their participations, results and answers; the teacher follows the first two
    classes. Returns the campaigns (profiles collection, assessment)."""
    divisions = list(Division.objects.filter(school=school).order_by("name"))
    membership.divisions.set(divisions[:2])
    codes = sorted(bank.competences)
    profiles = _campaign(school, admin, "Collecte de profils", Campaign.Type.PROFILES_COLLECTION, codes, bank, rng)
    targeted = divisions[: max(1, len(divisions) // 2)]
    assessment = _campaign(school, admin, "Positionnement 3e", Campaign.Type.ASSESSMENT, ASSESSED, bank, rng)
    assessment.divisions.set(targeted)
    targeted_ids = {d.id for d in targeted}
    _participate(profiles, codes, pupils, bank, rng)
    _participate(assessment, ASSESSED, [p for p in pupils if p.division_id in targeted_ids], bank, rng)
    return profiles, assessment


def _campaign(school, owner, name, type, codes, bank, rng):
    campaign = Campaign.objects.create(school=school, owner=owner, name=name, type=type, code=Campaign.new_code(rng))
    campaign.competences.set([bank.competences[code] for code in codes])
    return campaign


def _participate(campaign, codes, pupils, bank, rng):
    statuses = ["shared"] * 8 + ["to_share", "started"]
    now = timezone.now()
    participations, levels = [], []
    for pupil in pupils:
        status = rng.choice(statuses)
        base = rng.randint(0, 4)
        drawn = {} if status == "started" else {c: max(0, min(5, base + rng.choice([-1, 0, 1]))) for c in codes}
        levels.append(drawn)
        participations.append(
            Participation(
                campaign=campaign,
                pupil=pupil,
                status=status,
                finished_at=None if status == "started" else now,
                shared_at=now if status == "shared" else None,
                pix=8 * sum(drawn.values()),
            )
        )
    participations = Participation.objects.bulk_create(participations, batch_size=1000)
    results, answers = [], []
    for participation, drawn in zip(participations, levels, strict=True):
        answers += _answers(participation.id, list(drawn) or codes[:1], bank, rng, now)
        for code, level in drawn.items():
            skills = bank.skills.get(code, {})
            validated = sorted(s for s, lvl in skills.items() if lvl <= level)
            tested = min(len(skills), level + 2)
            results.append((participation.id, bank.competences[code].id, 8 * level, level, validated, tested))
    insert(CompetenceResult, RESULT_FIELDS, results)
    insert(Answer, ANSWER_FIELDS, answers)


RESULT_FIELDS = ("participation_id", "competence_id", "pix", "level", "validated_skills", "tested_skills")
ANSWER_FIELDS = ("participation_id", "challenge_id", "skill_id", "value", "result", "created_at")


def _answers(participation_id, codes, bank, rng, now):
    rows = []
    for code in codes:
        for challenge_id, skill_id in rng.sample(bank.challenges[code], ANSWERS_PER_COMPETENCE):
            result = rng.choice(["ok", "ok", "ko", "skipped"])
            value = "" if result == "skipped" else "réponse"
            rows.append((participation_id, challenge_id, skill_id, value, result, now))
    return rows


def insert(model, fields, rows):
    """Rows (tuples of `fields`' values) inserted with PostgreSQL's COPY, or bulk_create elsewhere (the tests'
    SQLite): Django's bulk_create spent four fifths of the seeding building objects and SQL."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
        return
    lines = io.StringIO()
    for row in rows:
        lines.write("\t".join(_copy_text(value) for value in row) + "\n")
    lines.seek(0)
    columns = ", ".join(model._meta.get_field(f.removesuffix("_id")).column for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", lines)


def _copy_text(value):
    if isinstance(value, list):
        value = json.dumps(value)
    elif isinstance(value, datetime.datetime):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def seed_school(index, pupils_per_school, bank, seed=0):
    """School number `index` of the académie, whole, in one transaction."""
    rng = random.Random(seed * 100_003 + index)
    with transaction.atomic():
        school = School.objects.create(
            uai=academie_uai(index), name=f"Collège de l'académie n° {index}", academie="Lyon", type="college"
        )
        admin, _, membership = seed_staff(school)
        pupils = seed_people(school, pupils_per_school, seed=seed * 100_003 + index)
        seed_activity(school, pupils, admin, membership, bank, rng)
    return school
