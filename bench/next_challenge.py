"""Benchmark of the adaptive engine's choice of the next challenge (pure Python, no Django, no database).

    python bench/next_challenge.py --challenges 2000 --json

Builds a synthetic bank of about `--challenges` challenges (16 competences × 8 tubes × 8 levels, the same
number of challenges a skill), plays simulated tests (a pupil of random level per competence) and times
`crcn.engine.next_challenge` at every point of each test from 0 to 40 answers. Prints one JSON object:
challenges, skills, calls, median_ms, p95_ms, max_ms (and the answers range).
"""

import argparse
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crcn.engine import COMPETENCE_CODES, AnswerInfo, next_challenge, synthetic_bank

TUBES = 8
LEVELS = range(1, 9)


def bank_of_size(challenges):
    skills = len(COMPETENCE_CODES) * TUBES * len(LEVELS)
    per_skill = max(1, round(challenges / skills))
    return synthetic_bank(COMPETENCE_CODES, tubes=TUBES, levels=LEVELS, challenges_per_skill=(per_skill,))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--challenges", type=int, default=2000)
    parser.add_argument("--tests", type=int, default=30, help="simulated tests (41 timed calls each)")
    parser.add_argument("--max-answers", type=int, default=40)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    bank = bank_of_size(args.challenges)
    competences = list(bank.competences)
    rng = random.Random(f"bench-{args.seed}")
    timings = []
    for test in range(args.tests):
        levels = {code: rng.randint(0, 5) for code in competences}
        answers = []
        while len(answers) <= args.max_answers:
            started = time.perf_counter()
            challenge = next_challenge(bank, competences, answers, f"{args.seed}-{test}")
            timings.append((time.perf_counter() - started) * 1000)
            if challenge is None:
                break
            skill = bank.skills[challenge.skill_id]
            p = 1 / (1 + math.exp(-2 * (levels[skill.competence] + 0.5 - skill.level)))
            answers.append(AnswerInfo(challenge.id, skill.id, rng.random() < p))
    timings.sort()
    report = {
        "challenges": len(bank),
        "skills": len(bank.skills),
        "calls": len(timings),
        "answers": [0, args.max_answers],
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[math.ceil(0.95 * len(timings)) - 1], 3),
        "max_ms": round(timings[-1], 3),
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
