"""Many rows into one of the index's tables at once, without a model instance for each row.

An import of a thousand cases adds hundreds of thousands of champion entries
(see ``search.index.champions``); ``bulk_create`` spends far longer building a
model instance and the SQL for each of them than the database spends storing
them. PostgreSQL copies them in (``COPY … FROM STDIN``), SQLite runs one
prepared statement for every row. Each chunk is one statement, well inside the
statement timeout.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models.options import Options

CHUNK_ROWS = 50_000  # rows per statement


def placeholders(count: int) -> str:
    """The parameters of an ``IN`` list of ``count`` values, ``%s, %s, …``, for statements written once for
    each number of values (the pages' reads: the ORM would compile them for every request)."""
    return ", ".join(["%s"] * count)


def ordering_sql(meta: Options) -> str:
    """The columns of an ``ORDER BY`` for a model's ``Meta.ordering`` (field names or "pk", "-" for descending),
    for statements written once: they keep the order the ORM would give."""
    quote = connection.ops.quote_name
    columns = []
    for name in meta.ordering:
        field = meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
        columns.append(quote(field.column) + (" DESC" if name.startswith("-") else ""))
    return ", ".join(columns)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples of the values of ``fields``, as stored) into ``model``'s table; returns how many.

    Only for tables whose rows need no defaults, signals or returned ids.
    """
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in fields)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(iterator, CHUNK_ROWS)):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", chunk)
            count += len(chunk)
    return count
