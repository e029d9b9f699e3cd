from django.db import models


class Domain(models.Model):
    code = models.CharField("code", max_length=1, unique=True)
    title = models.CharField("intitulé", max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = "domaine"

    def __str__(self):
        return f"{self.code}. {self.title}"


class CompetenceQuerySet(models.QuerySet):
    def in_framework_order(self):
        return self.select_related("domain").order_by("domain__code", "code")


class Competence(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="competences", verbose_name="domaine")
    code = models.CharField("code", max_length=4, unique=True)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description")

    objects = CompetenceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "compétence"

    def __str__(self):
        return f"{self.code} {self.title}"


class Level(models.Model):
    number = models.PositiveSmallIntegerField("niveau", unique=True)
    group_code = models.CharField("code du groupe", max_length=20)
    group_name = models.CharField("groupe", max_length=50)
    description = models.TextField("description")

    class Meta:
        ordering = ["number"]
        verbose_name = "niveau"

    def __str__(self):
        return f"{self.group_name} {self.number}"
