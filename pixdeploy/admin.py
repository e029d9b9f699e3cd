from django.contrib import admin

from certif.admin import SuperuserOnly

from .models import SchoolCalendar


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(SuperuserOnly, admin.ModelAdmin):
    """The school calendar of each year and zone, from which the checklist's windows are computed."""

    list_display = ("school_year", "zone", "pre_rentree", "toussaint_starts", "christmas_starts", "winter_starts")
    list_filter = ("school_year", "zone")
    ordering = ("-school_year", "zone")
