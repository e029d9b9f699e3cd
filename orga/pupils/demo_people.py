"""Realistic French pupils for the demo school and the benchmarks (no Django import).

Deterministic for a given seed, so that re-seeding finds the same pupils.
"""

import datetime
import json
import random
from dataclasses import dataclass
from pathlib import Path

_NAMES = json.loads((Path(__file__).resolve().parent / "data" / "demo_names.json").read_text(encoding="utf-8"))
GIRLS = _NAMES["girls"]
BOYS = _NAMES["boys"]
LAST_NAMES = _NAMES["last_names"]

# Codes MEF of the collège grades (BCN nomenclature).
MEF_BY_GRADE = {"6e": "10010012110", "5e": "10110001110", "4e": "10210001110", "3e": "10310019110"}
GRADE_OFFSET = {"6e": 11, "5e": 12, "4e": 13, "3e": 14}  # age reached during the school year


@dataclass
class FakePupil:
    ine: str
    last_name: str
    first_name: str
    middle_name: str
    birthdate: datetime.date
    sex: str  # "M" or "F"
    division: str
    mef_code: str


def make_ine(rng):
    """10 digits and a letter, one of the INE forms SIECLE carries."""
    return "".join(rng.choice("0123456789") for _ in range(10)) + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")


def make_pupils(divisions, per_division, school_year_start, seed=2026):
    """`divisions`: names such as "3e A"; the grade is read from their first two characters."""
    rng = random.Random(seed)
    seen_ine = set()
    pupils = []
    for division in divisions:
        grade = division[:2]
        birth_year = school_year_start - GRADE_OFFSET.get(grade, 14)
        for _ in range(per_division):
            sex = rng.choice("MF")
            first_names = BOYS if sex == "M" else GIRLS
            ine = make_ine(rng)
            while ine in seen_ine:
                ine = make_ine(rng)
            seen_ine.add(ine)
            pupils.append(
                FakePupil(
                    ine=ine,
                    last_name=rng.choice(LAST_NAMES).upper(),
                    first_name=rng.choice(first_names),
                    middle_name=rng.choice(first_names) if rng.random() < 0.6 else "",
                    birthdate=datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randrange(365)),
                    sex=sex,
                    division=division,
                    mef_code=MEF_BY_GRADE.get(grade, ""),
                )
            )
    return pupils
