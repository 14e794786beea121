"""PostgreSQL: store the tsvector out of line but uncompressed.

Ranking reads the tsvector of each case it scores (about a thousand for a
common word): decompressing them took about a quarter of that time. The
vectors take about a third more room on disk. Values are stored this way as
they are written: ``reindex`` rewrites them all.
"""

from django.db import migrations


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTERNAL")


def compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("search", "0009_related_cases")]
    operations = [migrations.RunPython(uncompressed, compressed)]
