from django.contrib import admin

from .sessions.models import NationalWindow


@admin.register(NationalWindow)
class NationalWindowAdmin(admin.ModelAdmin):
    """The national windows, corrected by a superuser when the ministry publishes its calendar."""

    list_display = ("school_year", "grade", "starts_on", "ends_on", "is_indicative")
    list_filter = ("school_year", "grade", "is_indicative")
    list_editable = ("starts_on", "ends_on", "is_indicative")
    ordering = ("-school_year", "grade")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
