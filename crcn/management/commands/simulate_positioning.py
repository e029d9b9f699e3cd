import json
import math
import random

from django.core.management.base import BaseCommand, CommandError

from crcn.bank import load_bank
from crcn.engine import MAX_QUESTIONS, AnswerInfo, competence_results, next_challenge

TRUE_LEVELS = range(0, 6)
SLOPE = 2.0


def p_right(true_level, difficulty):
    """The simulated pupil: 1 / (1 + exp(-2 (L + 0.5 - d))), 73 % right at their own level, 27 % one above."""
    return 1.0 / (1.0 + math.exp(-SLOPE * (true_level + 0.5 - difficulty)))


def simulate(bank, pupils, seed, max_questions=MAX_QUESTIONS):
    """Runs the engine over every competence of the bank for `pupils` simulated pupils; plain figures."""
    competences = list(bank.competences)
    rng = random.Random(f"{seed}")
    per_level = {
        level: {"pairs": 0, "exact": 0, "within_one": 0, "questions": 0, "estimated": 0} for level in TRUE_LEVELS
    }
    for pupil in range(pupils):
        true_levels = {code: rng.choice(TRUE_LEVELS) for code in competences}
        answers = []
        while True:
            challenge = next_challenge(bank, competences, answers, f"{seed}-{pupil}", max_questions=max_questions)
            if challenge is None:
                break
            skill = bank.skills[challenge.skill_id]
            correct = rng.random() < p_right(true_levels[skill.competence], skill.level)
            answers.append(AnswerInfo(challenge.id, skill.id, correct))
        results = competence_results(bank, competences, answers, max_questions=max_questions)
        for code, result in results.items():
            row = per_level[true_levels[code]]
            row["pairs"] += 1
            row["exact"] += result.level == true_levels[code]
            row["within_one"] += abs(result.level - true_levels[code]) <= 1
            row["questions"] += result.answered
            row["estimated"] += result.level
    pairs = sum(row["pairs"] for row in per_level.values())

    def share(count, total):
        return round(count / total, 4) if total else None

    return {
        "pupils": pupils,
        "seed": seed,
        "pairs": pairs,
        "competences": len(competences),
        "challenges": len(bank),
        "max_questions": max_questions,
        "exact": share(sum(row["exact"] for row in per_level.values()), pairs),
        "within_one": share(sum(row["within_one"] for row in per_level.values()), pairs),
        "mean_questions_per_competence": share(sum(row["questions"] for row in per_level.values()), pairs),
        "by_true_level": {
            str(level): {
                "pairs": row["pairs"],
                "exact": share(row["exact"], row["pairs"]),
                "within_one": share(row["within_one"], row["pairs"]),
                "mean_questions": share(row["questions"], row["pairs"]),
                "mean_estimated_level": share(row["estimated"], row["pairs"]),
            }
            for level, row in per_level.items()
        },
    }


class Command(BaseCommand):
    help = (
        "Simule des élèves (niveau réel tiré de 0 à 5 par compétence) passant le positionnement adaptatif sur "
        "la banque d'épreuves active et mesure la justesse des niveaux estimés."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pupils", type=int, default=100, help="Nombre d'élèves simulés (100 par défaut).")
        parser.add_argument("--seed", default="1", help="Graine : même graine, mêmes élèves et mêmes résultats.")
        parser.add_argument(
            "--max-questions",
            type=int,
            default=MAX_QUESTIONS,
            help=f"Plafond de questions par compétence ({MAX_QUESTIONS} par défaut).",
        )
        parser.add_argument("--json", action="store_true", help="Affiche un objet JSON.")

    def handle(self, *args, **options):
        if options["pupils"] < 1 or options["max_questions"] < 1:
            raise CommandError("--pupils et --max-questions doivent être positifs.")
        bank = load_bank()
        if not bank.competences or not len(bank):
            raise CommandError("Aucune épreuve active : chargez la banque (manage.py load_content).")
        report = simulate(bank, options["pupils"], options["seed"], options["max_questions"])
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['pupils']} élèves × {report['competences']} compétences = {report['pairs']} couples "
            f"({report['challenges']} épreuves actives, graine {report['seed']})"
        )
        self.stdout.write(
            f"Niveau exact : {report['exact']:.1%}   à un niveau près : {report['within_one']:.1%}   "
            f"questions par compétence : {report['mean_questions_per_competence']:.2f}"
        )
        for level, row in report["by_true_level"].items():
            if row["pairs"]:
                self.stdout.write(
                    f"  niveau réel {level} : {row['pairs']:>5} couples, exact {row['exact']:.1%}, "
                    f"±1 {row['within_one']:.1%}, {row['mean_questions']:.2f} questions, "
                    f"niveau estimé moyen {row['mean_estimated_level']:.2f}"
                )
