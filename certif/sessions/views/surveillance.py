"""« Planifier la surveillance »: who invigilates where and when across the school's planned sessions."""

from django.shortcuts import render

from orga.schools.guards import school_admin_required

from ..services import surveillance_plan


@school_admin_required
def surveillance(request):
    sessions, duties = surveillance_plan(request.school)
    by_id = {session.id: session for session in sessions}
    for duty in duties:
        for slot in duty.slots:
            slot.session = by_id[slot.session_id]
            slot.clashing = [by_id[i] for i in slot.clashes]
    return render(
        request,
        "certif/sessions/surveillance.html",
        {
            "school": request.school,
            "sessions": sessions,
            "duties": duties,
            "clashes": sum(1 for duty in duties if duty.has_clash),
            "page_title": "Planifier la surveillance",
        },
    )
