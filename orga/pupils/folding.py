"""Names compared in the database as `names.normalized_name` compares them in Python, so that a search filters
in SQL and does not read every name of a campaign.

`FoldedName(expression)` is the expression's text without case or accents, hyphens and apostrophes read as
spaces, spaces collapsed: compare it with another `FoldedName` (the words searched), so that both sides fold the
same way. SQLite calls `normalized_name` itself (a function registered on each connection); PostgreSQL uses its
`unaccent` extension (created by the migration `orga.0027_unaccent`), which also reads "Ø", "Ł" as "O", "L" and
"Œ", "ß" as "OE", "ss": "oedipe" finds "Œdipe" there, not on SQLite.
"""

from django.db.models import CharField, Func

from .names import normalized_name

SQLITE_FUNCTION = "pixdeploy_folded_name"
MARKS, SPACES = "-'’`", "    "  # read as spaces, as normalized_name does


class FoldedName(Func):
    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        folded = f"BTRIM(REGEXP_REPLACE(LOWER(UNACCENT(TRANSLATE({sql}, %s, %s))), '\\s+', ' ', 'g'))"
        return folded, (*params, MARKS, SPACES)


def register_on_sqlite(sender, connection, **kwargs):
    """`connection_created` receiver: SQLite learns `normalized_name`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, normalized_name, deterministic=True)
