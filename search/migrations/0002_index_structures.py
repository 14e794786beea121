"""The full-text index structures, which differ by database.

PostgreSQL: a GIN index on the tsvector column. SQLite: an FTS5 table whose
rowid is the case id, with one column per searchable field.
"""

from django.db import migrations

FTS_COLUMNS = "title, label, heading, body"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (vector)"
        )
    elif vendor == "sqlite":
        from search.index.backends.sqlite import fts5_available

        if not fts5_available():
            raise RuntimeError("此 SQLite 库未编译 FTS5 全文检索模块；请换用带 FTS5 的 SQLite 或 PostgreSQL。")
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS}, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
    else:
        raise RuntimeError(f"检索不支持 {vendor} 数据库；请使用 PostgreSQL 或 SQLite。")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
