"""The API's JSON:API bodies: the certifications with the competence framework, and the errors."""

import datetime

from django.http import JsonResponse

VALIDATED = "validated"
REJECTED = "rejected"
PENDING = "pending"


def error(status, title, detail):
    """A JSON:API error response: {"errors": [{"title", "detail", "status": "401"}]}."""
    return JsonResponse({"errors": [{"title": title, "detail": detail, "status": str(status)}]}, status=status)


def timestamp(moment):
    """A moment as JavaScript writes it (UTC, milliseconds, "Z"), or None."""
    if moment is None:
        return None
    utc = moment.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def certification(row):
    """One certification as LSU/LSL read it. `row` is a `certifications.Row`."""
    published = row.delivered_at is not None
    status = row.status if published else PENDING
    validated = status == VALIDATED
    return {
        "id": row.id,
        "firstName": row.first_name,
        "middleName": row.middle_name or None,
        "thirdName": row.third_name or None,
        "lastName": row.last_name,
        "birthdate": row.birthdate.isoformat(),
        "nationalStudentId": row.ine,
        "status": status,
        "pixScore": row.pix_score if validated else 0,
        "verificationCode": row.verification_code or None,
        "date": timestamp(row.date),
        "deliveredAt": timestamp(row.delivered_at),
        "certificationCenter": row.certification_center,
        "competenceResults": (
            [{"competenceId": code, "level": level} for code, level in sorted(row.competence_levels.items())]
            if validated
            else []
        ),
    }


def certifications_results(rows, competences):
    """The whole body: the certifications, and the framework's competences (by code) with their areas."""
    included, areas_seen = [], set()
    for competence in competences:
        area = competence.domain
        if area.code not in areas_seen:
            areas_seen.add(area.code)
            included.append({"type": "areas", "id": area.code, "attributes": {"name": area.title}, "relationships": {}})
        included.append(
            {
                "type": "competences",
                "id": competence.code,
                "attributes": {"name": competence.title},
                "relationships": {"area": {"data": {"type": "areas", "id": area.code}}},
            }
        )
    return {
        "data": {
            "type": "certificationsResults",
            "attributes": {"certifications": [certification(row) for row in rows]},
            "relationships": {"competences": {"data": [{"type": "competences", "id": c.code} for c in competences]}},
        },
        "included": included,
    }
