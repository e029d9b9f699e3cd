"""The school year a results page or download asks for (« ?annee=2025-2026 »), the current one by default."""

import re

from django.http import Http404

from orga.schools.models import current_school_year


def school_year_of(request):
    year = request.GET.get("annee", "")
    if not year:
        return current_school_year()
    if not re.fullmatch(r"\d{4}-\d{4}", year) or int(year[5:]) != int(year[:4]) + 1:
        raise Http404("Année scolaire inconnue.")
    return year
