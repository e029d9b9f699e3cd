from django.db import migrations


def load(apps, schema_editor):
    from crcn.content import load_content

    names = ("Competence", "Tube", "Tutorial", "Skill", "Challenge")
    load_content(models={name: apps.get_model("crcn", name) for name in names})


class Migration(migrations.Migration):
    dependencies = [("crcn", "0003_challenge_bank")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
