from django.core.validators import MaxValueValidator, MinValueValidator
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


class Tube(models.Model):
    """A subject (sujet) of a competence, holding skills of increasing difficulty."""

    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="tubes")
    code = models.SlugField("code", max_length=80, unique=True)
    title = models.CharField("sujet", max_length=200)
    description = models.TextField("description", blank=True)

    class Meta:
        ordering = ["competence__code", "code"]
        verbose_name = "sujet"

    def __str__(self):
        return f"{self.competence.code} {self.title}"


class Tutorial(models.Model):
    class Format(models.TextChoices):
        VIDEO = "video", "Vidéo"
        PAGE = "page", "Page web"
        PDF = "pdf", "PDF"
        EXERCISE = "exercise", "Exercice"

    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="tutorials", verbose_name="sujet")
    code = models.SlugField(max_length=80, unique=True)
    title = models.CharField("titre", max_length=200)
    url = models.URLField("adresse", max_length=500)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)")
    format = models.CharField("type", max_length=10, choices=Format.choices)
    source = models.CharField("source", max_length=100, blank=True)
    # The CRCN level the tutorial helps reach.
    level = models.PositiveSmallIntegerField("niveau", validators=[MinValueValidator(1), MaxValueValidator(8)])

    class Meta:
        ordering = ["tube", "duration_minutes", "code"]
        verbose_name = "tutoriel"

    def __str__(self):
        return self.title


class Skill(models.Model):
    """A skill (acquis) of a tube, of difficulty 1 to 8.

    Worth 8 pix shared among the competence's skills of its level.
    """

    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="skills", verbose_name="sujet")
    code = models.CharField("code", max_length=80, unique=True)
    level = models.PositiveSmallIntegerField("niveau")
    pix_value = models.FloatField("valeur en pix", default=0)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["tube", "level"]
        verbose_name = "acquis"
        constraints = [models.UniqueConstraint(fields=["tube", "level"], name="skill_one_per_level_in_tube")]

    def __str__(self):
        return self.code


class ChallengeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Challenge.Status.ACTIVE)


class Challenge(models.Model):
    """A question. Retired, never deleted, once it leaves the content files (answers refer to it)."""

    class Type(models.TextChoices):
        SINGLE = "qcu", "Choix unique"
        MULTIPLE = "qcm", "Choix multiples"
        SHORT = "qroc", "Réponse courte"

    class Status(models.TextChoices):
        ACTIVE = "active", "Actif"
        RETIRED = "retired", "Retiré"

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="challenges", verbose_name="acquis")
    code = models.CharField("code", max_length=80, unique=True)
    type = models.CharField("type", max_length=4, choices=Type.choices)
    instruction = models.TextField("consigne")
    proposals = models.JSONField("propositions", default=list, blank=True)
    # qcu: index of the right proposal; qcm: sorted list of indexes; qroc: list of accepted answers.
    solution = models.JSONField("solution")
    explanation = models.TextField("explication")
    illustration = models.CharField("illustration", max_length=200, blank=True)
    illustration_alt = models.CharField("texte alternatif", max_length=500, blank=True)
    attachment = models.CharField("fichier joint", max_length=200, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "épreuve"

    def __str__(self):
        return self.code


class BankVersion(models.Model):
    """One row: the challenge bank's version, bumped by every `load_content` in its transaction. Each process keeps
    the bank it loaded with the version it read (crcn/bank.py) and loads it again when the version moves."""

    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "version de la banque d'épreuves"

    def __str__(self):
        return f"banque v{self.version}"
