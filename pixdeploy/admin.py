from django.contrib import admin

from certif.admin import SuperuserOnly

from .models import AcademieReferent, ErasureRecord, SchoolCalendar, SchoolYearClosure


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


@admin.register(ErasureRecord)
class ErasureRecordAdmin(SuperuserOnly, admin.ModelAdmin):
    """The pupils' data erased (RGPD): who, when, which school, why; never changed, never added by hand."""

    list_display = ("erased_at", "school", "reason", "erased_by", "participations", "certifications_kept")
    list_filter = ("reason",)
    readonly_fields = list_display + ("pupil",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AcademieReferent)
class AcademieReferentAdmin(SuperuserOnly, admin.ModelAdmin):
    """Who follows the schools of an académie in the académie view: the académie as the schools write it."""

    list_display = ("user", "academie", "created_at")
    list_filter = ("academie",)
    search_fields = ("user__username", "user__last_name", "academie")
    autocomplete_fields = ("user",)
