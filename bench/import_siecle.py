"""Benchmark of the SIECLE import on the configured database (DATABASE_URL).

    python bench/import_siecle.py --pupils 3000 --json

Generates a real-shaped ElevesSansAdresses.xml (50 classes), imports it into a
throwaway school, imports it again unchanged, then deletes that school. Prints one
JSON object: pupils, import_s, reimport_s, parse_s (a bare lxml parse of the same
file: the floor to compare with), parse_zip_s (parse_pupils_file alone, no database,
on the file zipped as schools upload it) and queries (SQL queries of the first import).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from lxml import etree  # noqa: E402
from throwaway import remove_school, throwaway_school  # noqa: E402

from orga.pupils.importing import apply_pupils  # noqa: E402
from orga.pupils.siecle import parse_pupils_file  # noqa: E402
from orga.pupils.siecle_sample import generated_pupils, siecle_xml, siecle_zip  # noqa: E402

BENCH_DIGITS = "0999990"


def timed_import(school, data):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        parsed = parse_pupils_file(data, "ElevesSansAdresses.xml", expected_uai=school.uai)
        report = apply_pupils(school, parsed)
    return time.perf_counter() - started, len(queries), report


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=3000)
    parser.add_argument("--classes", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    school, _ = throwaway_school(BENCH_DIGITS, "Établissement de mesure (bench)")
    uai = school.uai
    data = siecle_xml(uai, generated_pupils(args.pupils, args.classes, seed=7))
    try:
        started = time.perf_counter()
        etree.fromstring(data)
        parse_s = time.perf_counter() - started
        zipped = siecle_zip(data)
        started = time.perf_counter()
        parse_pupils_file(zipped, "ElevesSansAdresses.zip", expected_uai=uai)
        parse_zip_s = time.perf_counter() - started
        import_s, queries, report = timed_import(school, data)
        reimport_s, reimport_queries, again = timed_import(school, data)
        assert report["created"] == args.pupils, report
        assert again["unchanged"] == args.pupils, again
    finally:
        remove_school(uai)
    result = {
        "pupils": args.pupils,
        "classes": args.classes,
        "file_bytes": len(data),
        "database": connection.vendor,
        "import_s": round(import_s, 3),
        "reimport_s": round(reimport_s, 3),
        "parse_s": round(parse_s, 3),
        "parse_zip_s": round(parse_zip_s, 3),
        "queries": queries,
        "reimport_queries": reimport_queries,
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
