from django.shortcuts import render

from . import scoring
from .levels import max_reachable_level
from .models import Domain, Level


def referentiel(request):
    domains = Domain.objects.prefetch_related("competences").order_by("code")
    max_level = max_reachable_level()
    return render(
        request,
        "crcn/referentiel.html",
        {
            "domains": domains,
            "levels": Level.objects.all(),
            "pix_per_level": scoring.PIX_PER_LEVEL,
            "max_level": max_level,
            "max_pix_per_competence": scoring.max_pix_per_competence(max_level),
            "max_total_pix": scoring.max_total_pix(max_level),
            "certifiable_min_competences": scoring.CERTIFIABLE_MIN_COMPETENCES,
        },
    )
