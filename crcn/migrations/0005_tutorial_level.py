"""A tutorial's level: the CRCN level it helps reach. Existing rows first get the lowest level of their tube's
skills (the tube's entry level), then the files, which now give each tutorial's level, are loaded again."""

import django.core.validators
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def lowest_level_of_the_tube(apps, schema_editor):
    Tutorial, Skill = apps.get_model("crcn", "Tutorial"), apps.get_model("crcn", "Skill")
    lowest = Skill.objects.filter(tube=OuterRef("tube")).values("tube").annotate(level=Min("level")).values("level")
    Tutorial.objects.filter(tube__skills__isnull=False).update(level=Subquery(lowest[:1]))


def load(apps, schema_editor):
    from crcn.content import load_content

    names = ("Competence", "Tube", "Tutorial", "Skill", "Challenge")
    load_content(models={name: apps.get_model("crcn", name) for name in names})


class Migration(migrations.Migration):
    dependencies = [("crcn", "0004_load_content")]

    operations = [
        migrations.AddField(
            model_name="tutorial",
            name="level",
            field=models.PositiveSmallIntegerField(
                default=1,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(8),
                ],
                verbose_name="niveau",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="tutorial",
            name="format",
            field=models.CharField(
                choices=[("video", "Vidéo"), ("page", "Page web"), ("pdf", "PDF"), ("exercise", "Exercice")],
                max_length=10,
                verbose_name="type",
            ),
        ),
        migrations.RunPython(lowest_level_of_the_tube, migrations.RunPython.noop),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
