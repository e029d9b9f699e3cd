"""Whether a pupil may sit the certification: level ≥ 1 in at least 5 competences (crcn.scoring), read from
the latest shared result of each competence in the school's campaigns, as the pupil's page shows them.

Computed in the database, so that a list can filter and page on it with a fixed number of queries.
"""

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from crcn.scoring import CERTIFIABLE_MIN_COMPETENCES, CERTIFIABLE_MIN_LEVEL
from orga.campaigns.models import CompetenceResult, Participation

SHARED = Participation.Status.SHARED

# The three answers, as a filter's values in an address and their labels.
CERTIFIABLE, NOT_CERTIFIABLE, NEVER_POSITIONED = "certifiables", "non-certifiables", "jamais-positionnes"
FILTERS = [
    (CERTIFIABLE, "Certifiables"),
    (NOT_CERTIFIABLE, "Non certifiables"),
    (NEVER_POSITIONED, "Jamais positionnés"),
]


def _shared_results():
    return CompetenceResult.objects.filter(participation__status=SHARED).annotate(
        sent=Coalesce("participation__shared_at", "participation__created_at")
    )


def with_certifiability(pupils):
    """The Pupil QuerySet annotated with `competences_reached` (competences whose latest shared level is ≥ 1)
    `has_positioned` (at least one shared result in the school's campaigns) and `is_certifiable`: subqueries,
    no extra query.
    """
    # A result is superseded by a later shared result of the same pupil in the same competence.
    newer = _shared_results().filter(
        participation__pupil_id=OuterRef("participation__pupil_id"),
        participation__campaign__school_id=OuterRef("participation__campaign__school_id"),
        competence_id=OuterRef("competence_id"),
    )
    newer = newer.filter(
        Q(sent__gt=OuterRef("sent")) | Q(sent=OuterRef("sent"), participation_id__gt=OuterRef("participation_id"))
    )
    reached = (
        _shared_results()
        .filter(
            participation__pupil_id=OuterRef("pk"),
            participation__campaign__school_id=OuterRef("school_id"),
            level__gte=CERTIFIABLE_MIN_LEVEL,
        )
        .exclude(Exists(newer))
        .order_by()
        .values(pupil=F("participation__pupil_id"))
        .annotate(count=Count("competence_id", distinct=True))
        .values("count")
    )
    positioned = Participation.objects.filter(
        pupil_id=OuterRef("pk"), campaign__school_id=OuterRef("school_id"), status=SHARED
    )
    return pupils.annotate(
        competences_reached=Coalesce(Subquery(reached, output_field=IntegerField()), Value(0)),
        has_positioned=Exists(positioned),
    ).annotate(
        is_certifiable=ExpressionWrapper(
            Q(competences_reached__gte=CERTIFIABLE_MIN_COMPETENCES), output_field=BooleanField()
        )
    )


def filter_certifiability(pupils, kind):
    """Keep, of pupils annotated by `with_certifiability`, those of `kind` (one of FILTERS; anything else: all)."""
    if kind == CERTIFIABLE:
        return pupils.filter(is_certifiable=True)
    if kind == NOT_CERTIFIABLE:
        return pupils.filter(has_positioned=True, is_certifiable=False)
    if kind == NEVER_POSITIONED:
        return pupils.filter(has_positioned=False)
    return pupils
