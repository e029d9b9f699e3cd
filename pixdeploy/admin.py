from django.contrib import admin

from certif.admin import SuperuserOnly

from .models import SchoolCalendar, SchoolYearClosure


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(SuperuserOnly, admin.ModelAdmin):
    """The school calendar of each year and zone, from which the checklist's windows are computed."""

    list_display = ("school_year", "zone", "pre_rentree", "toussaint_starts", "christmas_starts", "winter_starts")
    list_filter = ("school_year", "zone")
    ordering = ("-school_year", "zone")


@admin.register(SchoolYearClosure)
class SchoolYearClosureAdmin(SuperuserOnly, admin.ModelAdmin):
    """The school years closed by the schools, with their figures (read only: a school closes its own year)."""

    list_display = ("school", "school_year", "closed_at", "closed_by")
    list_filter = ("school_year",)
    readonly_fields = ("school", "school_year", "closed_at", "closed_by", "summary")

    def has_add_permission(self, request):
        return False
