"""PostgreSQL's `unaccent` extension, with which a name search folds accents in the database (`orga.pupils.folding`).
A trusted extension since PostgreSQL 13: the database's owner may create it; Debian's packages and the official
images ship it."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if cursor.fetchone() is None:
            raise RuntimeError(
                "L'extension PostgreSQL « unaccent » manque : installez le paquet postgresql-contrib du serveur, "
                "puis relancez « manage.py migrate »."
            )
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("orga", "0026_audit_session_deleted")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop, elidable=False)]
