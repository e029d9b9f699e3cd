from django.contrib import admin

from .models import Competence, Domain, Level


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("code", "title")


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "domain")
    list_filter = ("domain",)


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("number", "group_name")
