"""Search backends: one interface, chosen by the database in use.

A backend turns a parsed :class:`~search.query.Query` into SQL over the index
it keeps (a tsvector column on PostgreSQL, an FTS5 table on SQLite). Everything
user-supplied reaches the database as a bound parameter; the query text for the
engine is assembled only from tokens that :mod:`search.text` produced.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from django.db import connection
from django.db.models import Count
from django.db.models.expressions import RawSQL

from ..facets import Group
from ..models import FacetKey
from ..query import Query

SQL = tuple[str, list]
PUBLISHED = "published"  # Case.Status.PUBLISHED, as stored


class SearchBackend:
    vendor = ""

    def match_ids(self, query: Query) -> RawSQL:
        """A subquery of the ids of cases matching ``query`` (for ``pk__in=``)."""
        raise NotImplementedError

    def ranked_ids(self, query: Query, within: SQL | None, *, limit: int, offset: int) -> list[tuple[int, float]]:
        """One page of published (case id, score), best first, ties by collection and number.

        ``within`` restricts the result to the ids a subquery selects.
        """
        raise NotImplementedError

    def facet_groups(self, query: Query | None) -> list[Group]:
        """The published cases matching ``query`` (all of them for None), counted by regions and topics."""
        keys = FacetKey.objects.filter(published=True)
        if query is not None:
            keys = keys.filter(case_id__in=self.match_ids(query))
        return list(keys.values_list("region_ids", "topic_ids").annotate(Count("pk")).order_by())

    @contextlib.contextmanager
    def searching(self) -> Iterator[None]:
        """Around the queries of one search: whatever the database needs to plan them well."""
        yield

    def write_many(self, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
        """Store the index entries of (case id, tokens by field); the SearchDocument rows exist."""
        raise NotImplementedError

    def delete(self, case_ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Drop every index entry kept outside the SearchDocument rows (before a rebuild)."""

    def after_rebuild(self) -> None:
        """Refresh the planner's statistics once the whole index has been written."""


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def tie_order() -> str:
    return "col.year, col.slug, c.number"


@functools.cache
def _backend_for(vendor: str) -> SearchBackend:
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    if vendor == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend()
    raise RuntimeError(f"检索不支持 {vendor} 数据库；请使用 PostgreSQL 或 SQLite。")


def get_backend() -> SearchBackend:
    return _backend_for(connection.vendor)
