"""PostgreSQL: keep the search table's rows small.

Matching reads one heap row per matching case; with the segmented text and
the tsvector stored inline (up to 2 kB a row) a common word meant reading the
whole table. A low toast_tuple_target moves them out of line, leaving rows of
a few dozen bytes; the text is fetched only when it is used.
"""

from django.db import migrations


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_index_structures")]
    operations = [migrations.RunPython(narrow, widen)]
