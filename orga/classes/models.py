"""A class's yearly objective and the teaching resources the staff share."""

from django.conf import settings
from django.db import models

from orga.pupils.models import Division
from orga.schools.models import School
from orga.schools.permissions import manages, schools_visible_to


class ClassObjective(models.Model):
    """The year's goal of a class, e.g. 5 competences at level 1 or more (about 2 hours on Pix)."""

    division = models.OneToOneField(Division, on_delete=models.CASCADE, related_name="objective")
    competences_target = models.PositiveSmallIntegerField("compétences à travailler dans l'année", default=5)
    level_target = models.PositiveSmallIntegerField("niveau visé", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "objectif de classe"

    def __str__(self):
        return f"{self.division}: {self.competences_target} compétences au niveau {self.level_target}"


def resource_upload_path(instance, filename):
    return f"ressources/{instance.school.uai}/{filename}"


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(schools_visible_to(user, "school"))


class Resource(models.Model):
    """A teaching resource shared by a school's staff, suggested beside the tutorials for matching needs."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)
    url = models.URLField("lien", max_length=500, blank=True)
    file = models.FileField("fichier", upload_to=resource_upload_path, blank=True, max_length=255)
    competences = models.ManyToManyField("crcn.Competence", related_name="+", verbose_name="compétences visées")
    level_min = models.PositiveSmallIntegerField("du niveau", default=1)
    level_max = models.PositiveSmallIntegerField("au niveau", default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ressource pédagogique"

    def __str__(self):
        return self.title

    def can_be_deleted_by(self, user, membership):
        return manages(user, membership, self.author_id)
