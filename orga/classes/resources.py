"""Teaching resources shared by a school's staff, and those that answer the training needs of an analysis."""

from .models import Resource


def resources_for_needs(school, analysis):
    """Attach to each need of `analysis` the school's resources for its competence; one query in all.

    `analysis` is the list returned by `orga.results.frames.tube_analysis(results)`: dicts with at least
    "competence" (a crcn Competence) and "tube". An item may also carry "level" (int, the level the
    pupils should reach next): then only the resources whose range [level_min, level_max] holds it
    are kept; without it, every resource of the competence is.

    Each item gets "resources": a list of Resource (newest first, `author` loaded); the same list
    is returned, so `resources_for_needs(school, tube_analysis(results))` reads naturally.
    """
    competence_ids = {item["competence"].id for item in analysis}
    by_competence = {}
    links = (
        Resource.competences.through.objects.filter(resource__school=school, competence_id__in=competence_ids)
        .select_related("resource__author")
        .order_by("-resource__created_at", "-resource_id")
    )
    for link in links if competence_ids else ():
        by_competence.setdefault(link.competence_id, []).append(link.resource)
    for item in analysis:
        level = item.get("level")
        item["resources"] = [
            resource
            for resource in by_competence.get(item["competence"].id, [])
            if level is None or resource.level_min <= level <= resource.level_max
        ]
    return analysis
