from django.contrib import admin, messages

from .handover.api.clients import set_new_secret
from .handover.models import ApiClient
from .sessions.models import NationalWindow


class SuperuserOnly:
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


@admin.register(NationalWindow)
class NationalWindowAdmin(SuperuserOnly, admin.ModelAdmin):
    """The national windows, corrected by a superuser when the ministry publishes its calendar."""

    list_display = ("school_year", "grade", "starts_on", "ends_on", "is_indicative")
    list_filter = ("school_year", "grade", "is_indicative")
    list_editable = ("starts_on", "ends_on", "is_indicative")
    ordering = ("-school_year", "grade")


@admin.register(ApiClient)
class ApiClientAdmin(SuperuserOnly, admin.ModelAdmin):
    """The livret scolaire's API clients: created here (the secret shown once, in a message) or deactivated; the
    secret's hash is never shown."""

    list_display = ("name", "client_id", "scopes", "is_active", "created_at")
    list_filter = ("is_active",)
    fields = ("name", "client_id", "scopes", "is_active", "created_at")
    readonly_fields = ("client_id", "created_at")
    actions = ("deactivate",)

    def save_model(self, request, obj, form, change):
        secret = None if change else set_new_secret(obj)
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                f"Client créé. Identifiant : {obj.client_id} — secret : {secret} — notez-le maintenant, "
                "il ne sera plus affiché.",
            )

    @admin.action(description="Désactiver les clients sélectionnés")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        messages.success(request, f"{count} client(s) désactivé(s) : leurs jetons ne sont plus acceptés.")
