"""Loads the versioned framework file (crcn/data/crcn.json) into the database.

Called by a data migration with the historical models, so a new version of the
file ships with a new migration that calls `load_framework` again (upsert).
"""

import json
from pathlib import Path

FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "crcn.json"


def read_framework(path=FRAMEWORK_FILE):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_framework(Domain, Competence, Level, data=None):
    data = data or read_framework()
    group_of = {n: g for g in data["level_groups"] for n in g["levels"]}
    for level in data["levels"]:
        group = group_of[level["number"]]
        Level.objects.update_or_create(
            number=level["number"],
            defaults={"group_code": group["code"], "group_name": group["name"], "description": level["description"]},
        )
    for domain_data in data["domains"]:
        domain, _ = Domain.objects.update_or_create(code=domain_data["code"], defaults={"title": domain_data["title"]})
        for comp in domain_data["competences"]:
            Competence.objects.update_or_create(
                code=comp["code"],
                defaults={"domain": domain, "title": comp["title"], "description": comp["description"]},
            )
