"""PostgreSQL: leave room on each page of the search table, so a change of status is rewritten in place.

An UPDATE that changes no indexed column and finds room on its row's page
writes no index entry (a heap-only tuple); otherwise every index gets an entry
for the new row, and the GIN index one for each of its case's words. Publishing
or withdrawing thousands of cases changes only ``published``: with half of each
page free they are rewritten in place, without touching the indexes. The table's
rows are small (the tsvector lives out of line, see 0003), so it stays small.

The setting applies to pages written from now on; ``VACUUM FULL
search_searchdocument`` rewrites the table with it at once (see the README).
"""

from django.db import migrations

FILLFACTOR = 50


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE search_searchdocument SET (fillfactor = {FILLFACTOR})")


def pack(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("search", "0010_vector_stored_uncompressed")]
    operations = [migrations.RunPython(leave_room, pack)]
