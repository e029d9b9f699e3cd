"""Whether a pupil may sit the certification: level ≥ 1 in at least 5 competences (crcn.scoring), read from
the latest shared result of each competence in the school's campaigns, as the pupil's page shows them.

One query reads the results of the pupils asked about and Python keeps the latest per competence: a correlated
"no newer result" subquery per row took seconds on a school of 1,000 pupils with two profiles each.
"""

from django.db.models import Exists, F, OuterRef

from crcn.scoring import is_certifiable
from orga.campaigns.models import Participation

from .follow_up import latest_by_pupil, shared_results

SHARED = Participation.Status.SHARED

# The three answers, as a filter's values in an address and their labels.
CERTIFIABLE, NOT_CERTIFIABLE, NEVER_POSITIONED = "certifiables", "non-certifiables", "jamais-positionnes"
FILTERS = [
    (CERTIFIABLE, "Certifiables"),
    (NOT_CERTIFIABLE, "Non certifiables"),
    (NEVER_POSITIONED, "Jamais positionnés"),
]


def levels_by_pupil(pupils):
    """{pupil_id: [level per competence]} from the latest shared result of each competence in the pupil's school's
    campaigns, for `pupils` (a Pupil QuerySet or ids), in one query. Pupils who never shared any result are absent."""
    ids = pupils.values("id") if hasattr(pupils, "values") else list(pupils)
    rows = (
        shared_results(ids)
        .filter(participation__campaign__school_id=F("participation__pupil__school_id"))
        .values_list("participation__pupil_id", "competence_id", "level")
    )
    return {pupil_id: list(levels.values()) for pupil_id, levels in latest_by_pupil(rows).items()}


def attach_certifiability(pupils):
    """The pupils (a list or QuerySet), each given `has_positioned`, `competences_reached` and `is_certifiable`
    (one query)."""
    pupils = list(pupils)
    levels = levels_by_pupil([pupil.id for pupil in pupils])
    for pupil in pupils:
        found = levels.get(pupil.id)
        pupil.has_positioned = found is not None
        pupil.competences_reached = sum(1 for level in found or () if level >= 1)
        pupil.is_certifiable = bool(found) and is_certifiable(found)
    return pupils


def filter_certifiability(pupils, kind):
    """Keep, of the Pupil QuerySet, those of `kind` (one of FILTERS; anything else: all). One query for
    "certifiable" and "not certifiable", none for "never positioned" (a subquery)."""
    positioned = Exists(
        Participation.objects.filter(pupil_id=OuterRef("pk"), campaign__school_id=OuterRef("school_id"), status=SHARED)
    )
    if kind == NEVER_POSITIONED:
        return pupils.filter(~positioned)
    if kind not in (CERTIFIABLE, NOT_CERTIFIABLE):
        return pupils
    levels = levels_by_pupil(pupils)
    wanted = kind == CERTIFIABLE
    return pupils.filter(id__in=[pid for pid, found in levels.items() if is_certifiable(found) == wanted])
