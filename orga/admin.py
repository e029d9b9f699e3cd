from django.contrib import admin

from orga.audit.models import AuditEvent
from orga.pupils.models import Division, Pupil
from orga.schools.models import Membership, School


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "uai", "type", "academie", "school_year")
    search_fields = ("name", "uai")
    inlines = [MembershipInline]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("name", "school")
    list_filter = ("school",)


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "ine", "division", "school", "is_active")
    list_filter = ("school", "is_active")
    search_fields = ("last_name", "first_name", "ine")
    raw_id_fields = ("user", "division")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read only: an event is never added, changed or deleted by hand."""

    list_display = ("created_at", "school", "actor_label", "action", "target_label", "address")
    list_filter = ("action",)
    search_fields = ("school__uai", "actor_label", "target_label")
    list_select_related = ("school",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
