from django.db import migrations


def load(apps, schema_editor):
    from crcn.framework import load_framework

    load_framework(
        apps.get_model("crcn", "Domain"), apps.get_model("crcn", "Competence"), apps.get_model("crcn", "Level")
    )


class Migration(migrations.Migration):
    dependencies = [("crcn", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
