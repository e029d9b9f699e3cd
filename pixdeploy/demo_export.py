"""The sample SIECLE export shipped for the demo school (docs/exemples/), and how to rebuild it.

It is the export the Collège Victor-Hugo would download a few weeks after the one `seed_demo` imports:
the same pupils, plus two arrivals, one pupil moved to another class and one more departure. So
`import_siecle docs/exemples/ElevesSansAdresses-0751234J.zip --uai 0751234J --dry-run` has something
to report on the demo school. Deterministic: `python manage.py demo_export` rewrites the same file.
"""

import dataclasses
from pathlib import Path

from django.conf import settings

from orga.pupils.demo_people import make_pupils
from orga.pupils.siecle_sample import generated_pupils, siecle_xml, siecle_zip
from pixdeploy.demo import DEMO_DIVISIONS, DEMO_UAI, PUPILS_PER_DIVISION

SCHOOL_YEAR = 2026  # fixed, so that the shipped file does not depend on the day it is rebuilt
XML_NAME = "ElevesSansAdresses.xml"
PATH = Path(settings.BASE_DIR) / "docs" / "exemples" / f"ElevesSansAdresses-{DEMO_UAI}.zip"

LEFT_AT_SEED = (7, 60)  # as in the demo seed (pixdeploy/demo.py)
LEFT_SINCE = 33  # a 3e B pupil who left after the seed's export
MOVED = 12  # a 3e A pupil moved to 3e B
ARRIVALS = ("4e A", "3e B")


def demo_export_xml() -> bytes:
    pupils = generated_pupils(len(DEMO_DIVISIONS) * PUPILS_PER_DIVISION, DEMO_DIVISIONS, school_year=SCHOOL_YEAR)
    pupils[MOVED] = dataclasses.replace(pupils[MOVED], division="3e B")
    known = {pupil.ine for pupil in pupils}
    arrivals = make_pupils(list(ARRIVALS), 1, SCHOOL_YEAR, seed=SCHOOL_YEAR + 1)
    assert not known & {pupil.ine for pupil in arrivals}, "an arrival's INE is already in the file"
    return siecle_xml(DEMO_UAI, pupils + arrivals, school_year=SCHOOL_YEAR, left=(*LEFT_AT_SEED, LEFT_SINCE))


def demo_export_zip() -> bytes:
    return siecle_zip(demo_export_xml(), XML_NAME)
