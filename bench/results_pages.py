"""Benchmark of the staff's results pages and exports for a large campaign.

    DATABASE_URL=postgres://… python bench/results_pages.py --participants 1000 --json

Builds a throwaway school with one campaign on the 16 competences and N participants
(results drawn at random, mostly shared) and rebuilds the campaign's aggregates as
`refresh_campaign_stats` does (refresh_s: the seed writes rows in bulk, without the service
that keeps them as pupils send their results), then analyses the tables (PostgreSQL) as
autovacuum would. Then times in-process, with the Django test
client, the Résultats tab (its first page, and page 2 sorted by mastery with a name search),
the Analyse tab (median of 5 requests after a warm-up, and the SQL queries of one request),
the CSV (Pix's format) and XLSX exports of the whole campaign as the background job writes
them (streamed into a temporary file), and the PDF report of one class of 35 pupils. Prints
one JSON object. Deletes the school at the end.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log
os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from throwaway import remove_school, throwaway_school  # noqa: E402

from crcn.models import Competence, Skill  # noqa: E402
from orga.campaigns.services import create_campaign  # noqa: E402
from orga.campaigns.stats import refresh_campaign  # noqa: E402
from orga.models import CompetenceResult, Division, Participation, Pupil  # noqa: E402
from orga.pupils.siecle_sample import generated_pupils  # noqa: E402

BENCH_DIGITS = "0999992"
PER_CLASS = 35


def prepare(count, seed=5):
    school, admin = throwaway_school(BENCH_DIGITS, "Lycée de mesure (résultats)")
    uai = school.uai
    classes = max(1, -(-count // PER_CLASS))
    names = [f"2nde {n + 1}" for n in range(classes)]
    divisions = {d.name: d for d in Division.objects.bulk_create([Division(school=school, name=n) for n in names])}
    fakes = generated_pupils(count, names, seed=seed)
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                division=divisions[f.division],
                ine=f.ine,
                last_name=f.last_name,
                first_name=f.first_name,
                birthdate=f.birthdate,
            )
            for f in fakes
        ]
    )
    codes = sorted(Competence.objects.values_list("code", flat=True))
    campaign = create_campaign(
        school=school, owner=admin, name="Tout le référentiel", type="profiles_collection", competence_codes=codes
    )
    rng = random.Random(seed)
    statuses = ["shared"] * 8 + ["to_share", "started"]
    participations = Participation.objects.bulk_create(
        [Participation(campaign=campaign, pupil=p, status=rng.choice(statuses), pix=0) for p in pupils]
    )
    skills = {}
    for skill in Skill.objects.filter(is_active=True).values("id", "level", "tube__competence__code"):
        skills.setdefault(skill["tube__competence__code"], []).append(skill)
    competences = {c.code: c for c in Competence.objects.all()}
    results = []
    for participation in participations:
        if participation.status == "started":
            continue
        base = rng.randint(0, 4)
        for code in codes:
            level = max(0, min(5, base + rng.choice([-1, 0, 1])))
            results.append(
                CompetenceResult(
                    participation=participation,
                    competence=competences[code],
                    level=level,
                    pix=8 * level,
                    validated_skills=[s["id"] for s in skills[code] if s["level"] <= level],
                    tested_skills=7,
                )
            )
    CompetenceResult.objects.bulk_create(results, batch_size=2000)
    return uai, school, campaign, admin, divisions[names[0]]


def analyse_tables():
    """PostgreSQL's statistics of the tables just filled, as autovacuum keeps them on a live instance: without
    them, the planner believes the campaign holds a few rows and joins 10,000 of them one by one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orga_participation, orga_pupil, orga_division, orga_competenceresult")


def time_page(client, url, runs=5):
    client.get(url)  # warm-up: templates and the bank are cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: the next request resets the log these are read from
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1), query_count


def time_exports(campaign, division):
    import tempfile

    from orga.results.exports import build_class_pdf, build_xlsx, csv_chunks
    from orga.results.frames import campaign_results, tube_analysis
    from orga.results.sources import DatabaseSource

    def source():
        return DatabaseSource(campaign, Participation.objects.current().filter(campaign=campaign))

    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as output:
        for chunk in csv_chunks(source()):
            output.write(chunk)
    csv_s, csv_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as output:
        build_xlsx(source(), output=output)
    xlsx_s, xlsx_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    results = campaign_results(campaign, campaign.participations.filter(pupil__division=division))
    build_class_pdf(results, division, tube_analysis(results))
    pdf_s = time.perf_counter() - started
    return round(csv_s, 2), round(xlsx_s, 2), round(pdf_s, 2), round(csv_cpu_s, 2), round(xlsx_cpu_s, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    uai, school, campaign, admin, first_class = prepare(args.participants)
    try:
        started = time.perf_counter()
        refresh_campaign(campaign)
        refresh_s = round(time.perf_counter() - started, 2)
        analyse_tables()
        client = Client()
        client.force_login(admin)
        base = f"/etablissements/{uai}/campagnes/{campaign.id}"
        results_ms, results_queries = time_page(client, f"{base}/resultats/")
        searched_ms, searched_queries = time_page(client, f"{base}/resultats/?tri=maitrise&q=a&page=2")
        analysis_ms, analysis_queries = time_page(client, f"{base}/analyse/")
        csv_s, xlsx_s, pdf_s, csv_cpu_s, xlsx_cpu_s = time_exports(campaign, first_class)
        pdf_pupils = first_class.pupils.count()
    finally:
        remove_school(uai)
    result = {
        "participants": args.participants,
        "competences": 16,
        "database": connection.vendor,
        "results_queries": results_queries,
        "analysis_queries": analysis_queries,
        "searched_queries": searched_queries,
        "results_ms": results_ms,
        "searched_ms": searched_ms,
        "analysis_ms": analysis_ms,
        "refresh_s": refresh_s,
        "csv_s": csv_s,
        "xlsx_s": xlsx_s,
        "pdf_s": pdf_s,
        "csv_cpu_s": csv_cpu_s,  # this process's CPU time: what the load of a shared machine does not inflate
        "xlsx_cpu_s": xlsx_cpu_s,
        "pdf_pupils": pdf_pupils,
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
