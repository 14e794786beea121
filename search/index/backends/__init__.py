"""Search backends: one interface, chosen by the database in use.

A backend turns a parsed :class:`~search.index.query.Query` into SQL over the index
it keeps (a tsvector column on PostgreSQL, an FTS5 table on SQLite). Everything
user-supplied reaches the database as a bound parameter; the query text for the
engine is assembled only from tokens that :mod:`search.index.text` produced.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from django.db import connection
from django.db.models.expressions import RawSQL

from search.models import FacetSet, SearchDocument

from ..query import Query

SQL = tuple[str, list]
# (region ids, topic ids, number of cases): ids space-separated, as FacetSet stores them.
Group = tuple[str, str, int]
PUBLISHED = "published"  # Case.Status.PUBLISHED, as stored
DOCUMENTS = SearchDocument._meta.db_table


class SearchBackend:
    vendor = ""

    def match_ids(self, query: Query) -> RawSQL:
        """A subquery of the ids of cases matching ``query`` (for ``pk__in=``)."""
        raise NotImplementedError

    def ranked_ids(
        self, query: Query, within: SQL | None, *, limit: int, offset: int, within_matches: bool = False
    ) -> list[tuple[int, float]]:
        """One page of published (case id, score), best first, ties by collection and number.

        ``within`` restricts the result to the ids a subquery selects; ``within_matches``
        says that all of them match ``query``, so a backend may skip checking it.
        """
        raise NotImplementedError

    def matching_documents(self, query: Query) -> SQL:
        """FROM and WHERE over the SearchDocument rows ``d`` of the cases matching ``query``."""
        matches = self.match_ids(query)
        return f"FROM {quote(DOCUMENTS)} d WHERE d.case_id IN ({matches.sql})", list(matches.params)

    def facet_groups(self, query: Query | None) -> list[Group]:
        """The published cases matching ``query`` (all of them for None), counted by regions and topics.

        Grouped by the integer FacetSet id first: sorting or hashing a hundred
        thousand matches by an integer is what keeps the counts cheap.
        """
        source, params = (
            self.matching_documents(query) if query is not None else (f"FROM {quote(DOCUMENTS)} d WHERE 1 = 1", [])
        )
        sql = (
            f"SELECT s.region_ids, s.topic_ids, g.n FROM "
            f"(SELECT d.facet_set_id, COUNT(*) AS n {source} AND d.published GROUP BY d.facet_set_id) g "
            f"JOIN {quote(FacetSet._meta.db_table)} s ON s.id = g.facet_set_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

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
        """Drop every index entry kept outside the SearchDocument rows: a rebuild starts here, in its transaction."""

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
