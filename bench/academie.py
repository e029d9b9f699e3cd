"""Benchmark of one school among an académie's on one instance (issue 14, item 5).

    DATABASE_URL=postgres://… python bench/academie.py --schools 300 --pupils-per-school 500 --json

Builds the measured school as a school starts: its pupils from a real SIECLE import (ElevesSansAdresses.xml), then
accounts, two campaigns, participations, results and answers (bench/academie_seed.py), and copies the database
(`<name>_alone`): the school alone. Then seeds the other schools - 1 into the configured database in bulk (the same
shapes), ANALYZEs both, and measures the school in both in the same run, runs alternated (ABBA) so
that the machine's load weighs on both alike: in-process with the Django test client (DEBUG off), the median of
--runs requests after a warm-up for each page, of --runs re-imports of the same SIECLE file and exports (Pix's
results CSV, the Excel workbook) of the profiles collection. For each figure: the SQL queries of one run, and
EXPLAIN ANALYZE of its SELECTs on both databases (`sql`: the database's share of the figure) and on the
académie's (`wasted_reads`: sequential scans of the big tables, rows read then thrown away). Prints one JSON
object, each figure `alone`, `academie` and their `ratio`. Removes the schools and the copy at the end unless
--keep; --reuse measures again what a --keep run left (after migrating both databases).
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

from academie_seed import Bank, academie_uai, class_names, give_accounts, seed_activity, seed_school, seed_staff  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from throwaway import remove_school  # noqa: E402

from orga.models import Pupil, School  # noqa: E402
from orga.pupils.importing import apply_pupils  # noqa: E402
from orga.pupils.siecle import parse_pupils_file  # noqa: E402
from orga.pupils.siecle_sample import generated_pupils, siecle_xml  # noqa: E402

MEASURED = 0  # the measured school's index: 0998000…
BIG_TABLES = {
    "orga_pupil",
    "orga_division",
    "orga_participation",
    "orga_competenceresult",
    "orga_answer",
    "orga_campaign",
    "orga_membership",
    "orga_siecleimport",
    "accounts_user",
    "orga_campaign_divisions",
    "orga_membership_divisions",
}


def measured_school(pupils_per_school, bank):
    """The measured school: its pupils from a SIECLE import, then its accounts, campaigns and results."""
    call_command("migrate", verbosity=0)
    uai = academie_uai(MEASURED)
    school = School.objects.create(uai=uai, name="Collège mesuré", academie="Lyon", type="college")
    admin, teacher, membership = seed_staff(school)
    data = siecle_xml(uai, generated_pupils(pupils_per_school, class_names(pupils_per_school), seed=11))
    report = reimport(school, data)
    assert report["created"] == pupils_per_school, report
    pupils = list(Pupil.objects.filter(school=school).order_by("id"))
    give_accounts(school, pupils)
    profiles, assessment = seed_activity(school, pupils, admin, membership, bank, random.Random(11))
    return school, admin, teacher, profiles, assessment, data


def kept_school(pupils_per_school):
    """The measured school a previous --keep run left (its file made again from the same seed)."""
    from django.contrib.auth import get_user_model

    from orga.models import Campaign

    school = School.objects.get(uai=academie_uai(MEASURED))
    users = get_user_model().objects
    admin, teacher = users.get(username=f"bench.admin.{school.uai}"), users.get(username=f"bench.{school.uai}.prof")
    profiles = Campaign.objects.get(school=school, type=Campaign.Type.PROFILES_COLLECTION)
    assessment = Campaign.objects.get(school=school, type=Campaign.Type.ASSESSMENT)
    data = siecle_xml(school.uai, generated_pupils(pupils_per_school, class_names(pupils_per_school), seed=11))
    return school, admin, teacher, profiles, assessment, data


def reimport(school, data):
    return apply_pupils(school, parse_pupils_file(data, "ElevesSansAdresses.xml", expected_uai=school.uai))


class Databases:
    """The measured school alone (a copy of the database made before the others were seeded) and among the
    académie (the configured database), the connection pointed at one or the other between two requests."""

    def __init__(self):
        self.academie = connection.settings_dict["NAME"]
        self.alone = f"{self.academie}_alone"

    def copy_alone(self):
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.alone}"')
            cursor.execute(f'CREATE DATABASE "{self.alone}" TEMPLATE "{self.academie}"')

    def drop_alone(self):
        self.use(self.academie)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.alone}"')

    def share_sessions(self):
        """The sessions of the académie's database copied into the alone one (a --reuse run signs in once)."""
        from django.contrib.sessions.models import Session

        self.use(self.academie)
        sessions = list(Session.objects.all())
        self.use(self.alone)
        Session.objects.bulk_create(sessions, ignore_conflicts=True)
        self.use(self.academie)

    def use(self, name):
        if connection.settings_dict["NAME"] != name:
            connection.close()
            connection.settings_dict["NAME"] = name

    def both(self):
        return (("alone", self.alone), ("academie", self.academie))


def paired(databases, runs, work):
    """The median milliseconds of `work` on each database, runs alternated (académie, alone, alone, académie, …)
    so that the machine's load weighs on both alike, after a warm-up on each."""
    timings = {label: [] for label, _ in databases.both()}
    for run in range(runs + 1):
        for label, name in databases.both()[:: 1 if run % 2 else -1]:  # ABBA: neither always goes first
            databases.use(name)
            started = time.perf_counter()
            work()
            if run:
                timings[label].append((time.perf_counter() - started) * 1000)
    return {label: round(statistics.median(values), 1) for label, values in timings.items()}


def count_queries(databases, work):
    counts, sqls = {}, []
    for label, name in databases.both():
        databases.use(name)
        with CaptureQueriesContext(connection) as queries:
            work()
        sqls = [q["sql"] for q in queries]  # now: the next request resets the log these are read from
        counts[label] = len(sqls)
    return counts, sqls  # the académie's


def explained(databases, sqls, runs=3):
    """EXPLAIN ANALYZE of a figure's SELECTs on each database: the median over `runs` of their summed execution
    times (the database's share of the figure, which the machine's load on Python does not blur), and on the
    académie's the sequential scans of the big tables and the rows PostgreSQL read then discarded (`Rows Removed
    by Filter`, summed by table): what other schools cost a page that does not lead with its own."""
    selects = [sql for sql in sqls if sql.lstrip().upper().startswith("SELECT")]
    totals, wasted = {label: [] for label, _ in databases.both()}, {}
    for _ in range(runs):
        for label, name in databases.both():
            databases.use(name)
            total = 0.0
            with connection.cursor() as cursor:
                for sql in selects:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]
                    total += plan["Execution Time"]
                    if label == "academie":
                        _walk(plan["Plan"], wasted)
            totals[label].append(total)
    return {label: round(statistics.median(values), 1) for label, values in totals.items()}, wasted


def _walk(node, found):
    table = node.get("Relation Name")
    if table in BIG_TABLES:
        removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
        if node["Node Type"] == "Seq Scan" or removed > 1000:
            key = f"{node['Node Type']} on {table}"
            found[key] = found.get(key, 0) + int(removed)
    for child in node.get("Plans", ()):
        _walk(child, found)


def signed_in_clients(school, admin, teacher, profiles, assessment):
    """The staff's, a teacher's and a pupil's test clients, signed in before the database is copied, and the pages
    each opens."""
    staff, teacher_client, pupil_client = Client(), Client(), Client()
    staff.force_login(admin)
    teacher_client.force_login(teacher)
    pupil = Pupil.objects.filter(school=school, participations__campaign=profiles, participations__status="shared")
    pupil = pupil.select_related("user", "division").order_by("id").first()
    pupil_client.force_login(pupil.user)
    participation = pupil.participations.get(campaign=profiles)
    base = f"/etablissements/{school.uai}"
    campaign = f"{base}/campagnes/{profiles.id}"
    return {
        "home_admin": (staff, "/"),
        "home_teacher": (teacher_client, "/"),
        "pupils_list": (staff, f"{base}/eleves/"),
        "pupil_detail": (staff, f"{base}/eleves/{pupil.id}/"),
        "class_follow_up": (staff, f"{base}/classes/{pupil.division_id}/suivi/"),
        "campaigns_list": (staff, f"{base}/campagnes/"),
        "campaign_activity": (staff, f"{campaign}/activite/"),
        "campaign_results": (staff, f"{campaign}/resultats/"),
        "campaign_analysis": (staff, f"{campaign}/analyse/"),
        "assessment_results": (staff, f"{base}/campagnes/{assessment.id}/resultats/"),
        "home_pupil": (pupil_client, "/"),
        "pupil_campaign_results": (pupil_client, f"/participations/{participation.id}/resultats/"),
        "pupil_profile": (pupil_client, "/mon-profil/"),
    }


def measure(databases, pages, school, profiles, data, runs):
    """Every figure of the measured school on both databases ({figure: {alone, academie}}), the SQL share of each
    (`explained`), its queries, and the wasted reads of each among the académie."""
    from orga.results.exports import build_csv, build_xlsx
    from orga.results.frames import campaign_results

    def get(client, url):
        def work():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return work

    works = {name: get(client, url) for name, (client, url) in pages.items()}
    works["siecle_reimport"] = lambda: reimport(school, data)
    works["export_csv"] = lambda: build_csv(campaign_results(profiles))
    works["export_xlsx"] = lambda: build_xlsx(campaign_results(profiles))
    figures, sql_figures, queries, wasted = {}, {}, {}, {}
    for name, work in works.items():
        figures[f"{name}_ms"] = paired(databases, runs, work)
        queries[name], sqls = count_queries(databases, work)
        sql_figures[f"{name}_sql_ms"], found = explained(databases, sqls)
        wasted[name] = {key: count // 3 for key, count in found.items()}  # per run
    return figures, sql_figures, queries, wasted


def seed_others(count, pupils_per_school, bank, seed):
    started = time.perf_counter()
    for index in range(1, count):
        seed_school(index, pupils_per_school, bank, seed=seed)
        if index % 25 == 0:
            print(f"{index} schools seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return round(time.perf_counter() - started, 1)


def remove_all(count):
    for index in range(count):
        remove_school(academie_uai(index))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--pupils-per-school", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the schools and the copy in the databases")
    parser.add_argument("--reuse", action="store_true", help="measure again what a --keep run left (migrated)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Ce banc compare deux bases PostgreSQL : donnez DATABASE_URL.")
    settings.ALLOWED_HOSTS = ["*"]
    databases = Databases()
    if args.reuse:
        seed_s = None
        for _, name in databases.both():
            databases.use(name)
            call_command("migrate", verbosity=0)
        measured = kept_school(args.pupils_per_school)
        pages = signed_in_clients(*measured[:5])
        databases.share_sessions()
    else:
        remove_all(args.schools)
        bank = Bank()
        measured = measured_school(args.pupils_per_school, bank)
        pages = signed_in_clients(*measured[:5])
        databases.copy_alone()
    school, _, _, profiles, _, data = measured
    try:
        if not args.reuse:
            seed_s = seed_others(args.schools, args.pupils_per_school, bank, seed=1)
        for _, name in databases.both():
            databases.use(name)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        load_before = os.getloadavg()[0]
        figures, sql_figures, queries, wasted = measure(databases, pages, school, profiles, data, args.runs)
    finally:
        if not args.keep:
            databases.drop_alone()
            remove_all(args.schools)
    for figure in [*figures.values(), *sql_figures.values()]:
        figure["ratio"] = round(figure["academie"] / figure["alone"], 2) if figure["alone"] else None
    result = {
        "schools": args.schools,
        "pupils_per_school": args.pupils_per_school,
        "database": connection.vendor,
        "runs": args.runs,
        "seed_s": seed_s,
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "figures": figures,
        "sql": sql_figures,
        "queries": queries,
        "wasted_reads": wasted,
    }
    print(json.dumps(result, indent=1) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
