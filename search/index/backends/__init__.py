"""Search backends: one typed contract, :class:`IndexBackend`, chosen by the database in use.

A backend turns a parsed :class:`~search.index.query.Query` into SQL over the
index it keeps (a tsvector column on PostgreSQL, an FTS5 table on SQLite).
Everything user-supplied reaches the database as a bound parameter; the query
text for the engine is assembled only from tokens that :mod:`search.index.text`
produced. Table and column names come from the models' ``_meta``.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from contextlib import AbstractContextManager
from typing import Protocol

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cases.models import Case
from search.models import FacetSet, SearchDocument

from ..query import Query

SQL = tuple[str, list]
# (region ids, topic ids, number of cases): ids space-separated, as FacetSet stores them.
Group = tuple[str, str, int]
IndexRows = list[tuple[int, dict[str, list[str]]]]  # (case id, tokens by field)
Document = tuple[bool, int]  # a SearchDocument's (published, facet set id)
Ranked = list[tuple[int, float]]  # (case id, score), best first


class IndexBackend(Protocol):
    """What the search reads and index maintenance need of a backend."""

    vendor: str
    # Whether a champion list's weights are the scores ``ranked_ids`` gives its token alone: a one-word query's
    # first results are then its list's, in the list's order, however many cases match.
    lists_hold_scores: bool

    def match_ids(self, query: Query) -> RawSQL:
        """A subquery of the ids of cases matching ``query`` (for ``pk__in=``)."""
        ...

    def ranked_ids(
        self, query: Query, within: SQL | None, *, limit: int, offset: int, within_matches: bool = False
    ) -> list[tuple[int, float]]:
        """One page of published (case id, score), best first, ties in the cases' own order.

        ``within`` restricts the result to the ids a subquery selects; ``within_matches``
        says that all of them match ``query``, so a backend may skip checking it.
        """
        ...

    def ranked_from_lists(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]] | None:
        """One page of the query's champions by score, as ``ranked_ids`` would rank them, from the champion lists
        alone; None when the backend cannot (its scores depend on more than one token in one case, or on the
        whole library)."""
        ...

    def token_weights(self, fields: Mapping[str, list[str]], only: Collection[str] | None = None) -> dict[str, float]:
        """Each token's weight in one case, from its tokens by field, for the champion lists (``only``: of these)."""
        ...

    def ranked_by_coverage(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """One page of the published cases that contain some of the query's words but not all (its widened matches
        that are not its matches): those covering most clauses first, then by score."""
        ...

    def ranked_with_partial(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """One page of the query's matches ranked as ``ranked_ids`` ranks them, followed by its partial matches
        ranked as ``ranked_by_coverage`` ranks them: both in one statement, for a page that shows some of each."""
        ...

    def facet_groups(self, query: Query | None, within: SQL | None = None) -> list[Group]:
        """The published cases matching ``query`` (all for None), within ``within`` if given, by regions and topics."""
        ...

    def facet_groups_widened(self, query: Query, within: SQL | None = None) -> tuple[list[Group], list[Group]]:
        """``facet_groups`` of ``query`` and of ``query.widened()``, in one statement."""
        ...

    def searching(self) -> AbstractContextManager[None]:
        """Around the queries of one search: whatever the database needs to plan them well."""
        ...

    def write_many(self, rows: IndexRows) -> None:
        """Store the index entries of these cases; their SearchDocument rows exist."""
        ...

    def update_many(
        self, documents: Mapping[int, Document], rows: IndexRows, fields: Collection[str] | None = None
    ) -> None:
        """Update indexed cases: their SearchDocument's (published, facet set) and, for the cases of ``rows``
        (all in ``documents``), their entries, of which only ``fields`` changed (None: any); each case's
        document row is written once."""
        ...

    def delete(self, case_ids: list[int]) -> None: ...

    def clear(self) -> None:
        """Drop every index entry kept outside the SearchDocument rows: a rebuild starts here, in its transaction."""
        ...

    def after_rebuild(self) -> None:
        """Refresh the planner's statistics once the whole index has been written."""
        ...


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


DOCUMENTS = SearchDocument._meta.db_table
PUBLISHED = Case.Status.PUBLISHED.value


def case_status_column() -> str:
    return quote(Case._meta.get_field("status").column)


@functools.cache
def case_order() -> tuple[str, str]:
    """(JOIN clauses, ORDER BY terms) that put cases ``c`` in ``Case._meta.ordering``.

    The ranking SQL breaks ties of score in the same order as the ORM lists
    cases, read from the model rather than restated here.
    """
    joins: dict[str, str] = {}
    terms = []
    for name in Case._meta.ordering:
        descending = name.startswith("-")
        path = name.lstrip("-").split("__")
        if len(path) == 1:
            column = f"c.{quote(Case._meta.get_field(path[0]).column)}"
        elif len(path) == 2:
            relation = Case._meta.get_field(path[0])
            related = relation.related_model._meta
            alias = f"o_{path[0]}"
            joins[alias] = (
                f"JOIN {quote(related.db_table)} {alias} "
                f"ON {alias}.{quote(related.pk.column)} = c.{quote(relation.column)}"
            )
            column = f"{alias}.{quote(related.get_field(path[1]).column)}"
        else:
            raise ValueError(f"unsupported ordering {name!r}")
        terms.append(column + (" DESC" if descending else ""))
    return " ".join(joins.values()), ", ".join(terms)


def ranked_page_sql(source: str, score: str, *, first_by: tuple[str, ...] = ()) -> str:
    """Published cases of ``source`` (relations naming ``hits.id``), best ``score`` first, ties in the cases' order.

    ``first_by`` are keys ordered (descending) before the score: the number of
    words a case covers, whether it has the words as typed.
    Takes the status, then the parameters of ``first_by``, then LIMIT and OFFSET as its last parameters.
    """
    joins, order = case_order()
    first = "".join(f"{key} DESC, " for key in first_by)
    return (
        f"SELECT hits.id, {score} AS score FROM {source} "
        f"JOIN {quote(Case._meta.db_table)} c ON c.{quote(Case._meta.pk.column)} = hits.id {joins} "
        f"WHERE c.{case_status_column()} = %s ORDER BY {first}score DESC, {order} LIMIT %s OFFSET %s"
    )


def documents_matching(matches: RawSQL) -> SQL:
    """FROM and WHERE over the SearchDocument rows ``d`` of the cases a ``match_ids`` subquery selects."""
    return f"FROM {quote(DOCUMENTS)} d WHERE d.case_id IN ({matches.sql})", list(matches.params)


def document_columns() -> tuple[str, str, str]:
    """The quoted columns of a SearchDocument's published flag, facet set and time of update."""
    meta = SearchDocument._meta
    return tuple(quote(meta.get_field(name).column) for name in ("published", "facet_set", "updated_at"))


def update_documents(documents: Mapping[int, Document]) -> None:
    """Set the SearchDocument fields of these cases (one statement, run for each)."""
    if not documents:
        return
    meta = SearchDocument._meta
    published, facet_set, updated = (
        quote(meta.get_field(name).column) for name in ("published", "facet_set", "updated_at")
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(DOCUMENTS)} SET {published} = %s, {facet_set} = %s, {updated} = %s WHERE case_id = %s",
            [(is_published, facet_set_id, now, pk) for pk, (is_published, facet_set_id) in documents.items()],
        )


ALL_DOCUMENTS: SQL = (f"FROM {quote(DOCUMENTS)} d WHERE 1 = 1", [])


def count_groups(source: SQL, within: SQL | None) -> list[Group]:
    """The published documents of ``source`` (FROM … WHERE over ``d``), counted by their FacetSet.

    Grouped by the integer FacetSet id first: sorting or hashing a hundred
    thousand matches by an integer is what keeps the counts cheap.
    """
    return [(regions, topics, number) for regions, topics, number, _ in _grouped(source, within, None)]


def count_groups_within(source: SQL, narrower: RawSQL, within: SQL | None) -> tuple[list[Group], list[Group]]:
    """``count_groups`` of the documents of ``narrower`` (a ``match_ids`` subquery) among those of ``source``, and
    of all those of ``source``: both from one pass over ``source``."""
    rows = _grouped(source, within, narrower)
    return [(regions, topics, inner) for regions, topics, _, inner in rows if inner], [row[:3] for row in rows]


def _grouped(source: SQL, within: SQL | None, narrower: RawSQL | None) -> list[tuple[str, str, int, int | None]]:
    where, params = source
    if within is not None:
        where += f" AND d.case_id IN ({within[0]})"
        params = [*params, *within[1]]
    inner = "NULL"
    if narrower is not None:
        inner = f"SUM(CASE WHEN d.case_id IN ({narrower.sql}) THEN 1 ELSE 0 END)"
        params = [*narrower.params, *params]
    sql = (
        f"SELECT s.region_ids, s.topic_ids, g.n, g.inner_n FROM "
        f"(SELECT d.facet_set_id, COUNT(*) AS n, {inner} AS inner_n {where} AND d.published"
        f" GROUP BY d.facet_set_id) g JOIN {quote(FacetSet._meta.db_table)} s ON s.id = g.facet_set_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _backend_for(vendor: str) -> IndexBackend:
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    if vendor == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend()
    raise RuntimeError(f"检索不支持 {vendor} 数据库；请使用 PostgreSQL 或 SQLite。")


def get_backend() -> IndexBackend:
    return _backend_for(connection.vendor)
