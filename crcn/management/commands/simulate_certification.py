"""Simulated candidates taking the certification test (crcn.certification) on the active bank.

Population: a candidate's global level g is drawn uniformly in [0, max_level + 1) (every level 0 to max_level
alike); each competence's true level is floor(g + e), e ~ N(0, SPREAD) drawn per competence, within
0..max_level: a profile mostly even, with a competence or two a level off. The candidate answers a challenge
of level d right with `simulate_positioning.p_right(true level of its competence, d)` (slope 2), which the
engine does not know. The true pix score uses the same scoring rules: 8 pix a level per competence, summed,
capped by max_level; its band is crcn.scoring.certification_level's.

`overlap`: over every pair of candidates of the same true band, the share of the questions of one that the
other was asked too (common challenges / questions asked), averaged over pairs.
"""

import json
import math
import random
from itertools import combinations

from django.core.management.base import BaseCommand, CommandError

from crcn import certification
from crcn.bank import load_bank
from crcn.engine import AnswerInfo, synthetic_bank
from crcn.management.commands.simulate_positioning import p_right
from crcn.scoring import DEFAULT_MAX_REACHABLE_LEVEL, PIX_PER_LEVEL, certification_level, max_total_pix

SPREAD = 0.75


def true_profile(rng, competences, max_level):
    base = rng.uniform(0, max_level + 1)
    return {code: max(0, min(math.floor(base + rng.gauss(0, SPREAD)), max_level)) for code in competences}


def true_score(levels, max_level):
    return min(sum(PIX_PER_LEVEL * level for level in levels.values()), max_total_pix(max_level))


def take_test(bank, levels, rng, seed, max_level, questions):
    answers = []
    while challenge := certification.next_challenge(bank, answers, seed, max_level=max_level, questions=questions):
        skill = bank.skills[challenge.skill_id]
        correct = rng.random() < p_right(levels[skill.competence], skill.level)
        answers.append(AnswerInfo(challenge.id, skill.id, correct))
    return answers


def _share(count, total):
    return round(count / total, 4) if total else None


def simulate(bank, candidates, seed, *, max_level=DEFAULT_MAX_REACHABLE_LEVEL, questions=certification.QUESTIONS):
    """Runs the certification test for `candidates` simulated candidates; plain figures."""
    competences = list(bank.competences)
    rng = random.Random(f"{seed}")
    rows = []
    for number in range(candidates):
        levels = true_profile(rng, competences, max_level)
        answers = take_test(bank, levels, rng, f"{seed}-{number}", max_level, questions)
        result = certification.score(bank, answers, max_level=max_level)
        truth = true_score(levels, max_level)
        rows.append(
            {
                "band": certification_level(truth, max_level)[0],
                "estimated_band": result.level,
                "error": result.pix_score - truth,
                "questions": len(answers),
                "challenges": frozenset(answer.challenge_id for answer in answers),
                "competences_exact": sum(result.competence_levels[code] == levels[code] for code in competences),
                "competences_asked": len({bank.skills[answer.skill_id].competence for answer in answers}),
                "skills_repeated": len(answers) - len({answer.skill_id for answer in answers}),
            }
        )

    def summary(group):
        pairs = list(combinations(group, 2))
        overlap = [len(a["challenges"] & b["challenges"]) / max(1, len(a["challenges"])) for a, b in pairs]
        return {
            "candidates": len(group),
            "exact_band": _share(sum(r["estimated_band"] == r["band"] for r in group), len(group)),
            "within_one_band": _share(sum(abs(r["estimated_band"] - r["band"]) <= 1 for r in group), len(group)),
            "mean_abs_pix_error": _share(sum(abs(r["error"]) for r in group), len(group)),
            "mean_pix_error": _share(sum(r["error"] for r in group), len(group)),
            "competence_level_exact": _share(sum(r["competences_exact"] for r in group), len(group) * len(competences)),
            "questions": _share(sum(r["questions"] for r in group), len(group)),
            "overlap": _share(sum(overlap), len(overlap)),
            "overlap_pairs": len(pairs),
        }

    bands = sorted({r["band"] for r in rows})
    by_band = {band: [r for r in rows if r["band"] == band] for band in bands}
    per_band = {str(band): summary(group) for band, group in by_band.items()}
    pair_count = sum(row["overlap_pairs"] for row in per_band.values())
    overall = summary(rows)
    overall["overlap"] = _share(
        sum(row["overlap"] * row["overlap_pairs"] for row in per_band.values() if row["overlap_pairs"]), pair_count
    )
    overall["overlap_pairs"] = pair_count
    return {
        "candidates": candidates,
        "seed": seed,
        "max_level": max_level,
        "competences": len(competences),
        "challenges": len(bank),
        "max_questions": questions,
        **overall,
        "every_competence_asked": all(r["competences_asked"] == len(competences) for r in rows),
        "skills_repeated": sum(r["skills_repeated"] for r in rows),
        "by_true_band": per_band,
    }


class Command(BaseCommand):
    help = (
        "Simule des candidats (niveau global tiré au hasard, variations par compétence) passant le test de "
        "certification sur la banque d'épreuves active et mesure la justesse du niveau global et du score."
    )

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, default=100, help="Nombre de candidats simulés (100).")
        parser.add_argument("--seed", default="1", help="Graine : même graine, mêmes candidats et mêmes résultats.")
        parser.add_argument(
            "--questions", type=int, default=certification.QUESTIONS, help="Questions par test (32 par défaut)."
        )
        parser.add_argument(
            "--max-level", type=int, default=DEFAULT_MAX_REACHABLE_LEVEL, help="Niveau maximal ouvert (5 par défaut)."
        )
        parser.add_argument(
            "--synthetic-bank",
            action="store_true",
            help="Banque synthétique (3 sujets × niveaux 1-6 × 2 épreuves par compétence) au lieu de la banque active.",
        )
        parser.add_argument("--json", action="store_true", help="Affiche un objet JSON.")

    def handle(self, *args, **options):
        if options["candidates"] < 1 or options["questions"] < 1:
            raise CommandError("--candidates et --questions doivent être positifs.")
        if not 1 <= options["max_level"] <= 8:
            raise CommandError("--max-level doit être compris entre 1 et 8.")
        bank = synthetic_bank(challenges_per_skill=(2,)) if options["synthetic_bank"] else load_bank()
        if not bank.competences or not len(bank):
            raise CommandError("Aucune épreuve active : chargez la banque (manage.py load_content).")
        report = simulate(
            bank, options["candidates"], options["seed"], max_level=options["max_level"], questions=options["questions"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['candidates']} candidats, {report['challenges']} épreuves actives, graine {report['seed']}"
        )
        self.stdout.write(
            f"Niveau global exact : {report['exact_band']:.1%}   à un niveau près : {report['within_one_band']:.1%}   "
            f"écart moyen : {report['mean_abs_pix_error']:.1f} pix   questions : {report['questions']:.1f}   "
            f"questions communes : {report['overlap'] or 0:.1%}"
        )
        for band, row in report["by_true_band"].items():
            self.stdout.write(
                f"  niveau réel {band} : {row['candidates']:>4} candidats, exact {row['exact_band']:.1%}, "
                f"±1 {row['within_one_band']:.1%}, écart {row['mean_abs_pix_error']:.1f} pix"
            )
