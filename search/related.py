"""Related cases and the neighbours of a case in its collection, for the case page.

The related cases are computed when a case is indexed and stored with the
index (``search.index.related`` explains the score and its reasons); here
they are read, one query for the whole list, so the case page costs the same
whatever the size of the library. Only published cases are shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection

from cases.models import Case
from search.index.related import RELATED_LIMIT
from search.models import RelatedCase as StoredRelatedCase


@dataclass(frozen=True)
class RelatedCase:
    case: Case
    score: float
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.topics:
            reasons.append("同属主题：" + "、".join(self.topics))
        if self.words:
            reasons.append("内容相近：" + "、".join(self.words))
        return reasons

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


def related_cases(case: Case, *, limit: int = RELATED_LIMIT) -> list[RelatedCase]:
    """Up to ``limit`` published cases most like ``case``, best first, each with its reasons (one query).

    Each is a case with its number and title, which is what the page shows of it.
    """
    rows = Case.objects.raw(_related_sql(), [case.pk, Case.Status.PUBLISHED, limit])
    return [
        RelatedCase(row, row.related_score, tuple(row.shared_topics.split()), tuple(row.shared_words.split()))
        for row in rows
    ]


@functools.cache
def _related_sql() -> str:
    """Written once: the case page asks for every view, and the ORM would compile the join each time."""
    quote, stored, meta = connection.ops.quote_name, StoredRelatedCase._meta, Case._meta
    case_id, related_id, score, topics, words, rank = (
        quote(stored.get_field(name).column) for name in ("case", "related", "score", "topics", "words", "rank")
    )
    pk, number, title, status = (quote(meta.get_field(name).column) for name in ("id", "number", "title", "status"))
    return (
        f"SELECT c.{pk}, c.{number}, c.{title}, r.{score} AS related_score, r.{topics} AS shared_topics,"
        f" r.{words} AS shared_words FROM {quote(stored.db_table)} r"
        f" JOIN {quote(meta.db_table)} c ON c.{pk} = r.{related_id}"
        f" WHERE r.{case_id} = %s AND c.{status} = %s ORDER BY r.{rank} LIMIT %s"
    )


def neighbours(case: Case) -> tuple[Case | None, Case | None]:
    """The published cases just before and after ``case`` in its collection, by number (one indexed query).

    Written as SQL: the ORM takes longer to compile the two sides' subqueries than the database to answer.
    """
    meta = Case._meta
    table, pk, number, title, collection, status = (
        connection.ops.quote_name(name)
        for name in (
            meta.db_table,
            *(meta.get_field(field).column for field in ("id", "number", "title", "collection", "status")),
        )
    )
    side = (
        f"SELECT * FROM (SELECT {pk}, {number}, {title} FROM {table} WHERE {collection} = %s AND {status} = %s "
        f"AND {number} {{}} %s ORDER BY {number} {{}} LIMIT 1) s{{}}"
    )
    sql = f"{side.format('<', 'DESC', 0)} UNION ALL {side.format('>', 'ASC', 1)}"
    params = [case.collection_id, Case.Status.PUBLISHED, case.number] * 2
    by_side = {other.number < case.number: other for other in Case.objects.raw(sql, params)}
    return by_side.get(True), by_side.get(False)
