from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def count_answers(apps, schema_editor):
    Participation = apps.get_model("orga", "Participation")
    Answer = apps.get_model("orga", "Answer")
    counted = (
        Answer.objects.filter(participation=OuterRef("pk")).order_by().values("participation").annotate(n=Count("id"))
    )
    Participation.objects.filter(pk__in=Answer.objects.values("participation")).update(
        answer_count=Subquery(counted.values("n")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("orga", "0024_pupil_disabled_and_erased")]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="answer_count",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="questions répondues"),
        ),
        migrations.RunPython(count_answers, migrations.RunPython.noop),
    ]
