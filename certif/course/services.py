"""The candidate's test: started, served, answered, ended. Every change to a course happens under its row lock."""

from django.db import transaction
from django.utils import timezone

from .models import CertificationCourse


@transaction.atomic
def end_course(course_id, reason):
    """End the test now for `reason` (a CertificationCourse.EndReason); its answers are kept. Safe to call twice:
    a test already ended keeps its first end."""
    course = CertificationCourse.objects.select_for_update().get(id=course_id)
    if course.ended_at is None:
        course.ended_at = timezone.now()
        course.end_reason = reason
        course.browser_key = ""
        course.save(update_fields=["ended_at", "end_reason", "browser_key"])
    return course
