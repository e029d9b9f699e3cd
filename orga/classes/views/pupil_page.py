"""A pupil's page for the staff: identity, account, participations and levels per competence."""

from django.shortcuts import get_object_or_404, render

from orga.pupils.models import Pupil
from orga.schools.guards import class_open_or_403, school_member_required
from orga.schools.permissions import is_school_admin

from ..follow_up import pupil_levels, pupil_participations


@school_member_required
def pupil_detail(request, pupil_id):
    school = request.school
    pupil = get_object_or_404(Pupil.objects.select_related("division", "user"), id=pupil_id, school=school)
    class_open_or_403(request, pupil.division_id)
    return render(
        request,
        "orga/pupils/detail.html",
        {
            "school": school,
            "pupil": pupil,
            "participations": pupil_participations(pupil, school),
            "levels": pupil_levels(pupil, school),
            "page_title": str(pupil),
            "can_manage": is_school_admin(request),
        },
    )
