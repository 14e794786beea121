"""Related cases and the neighbours of a case in its collection, for the case page.

The related cases are computed when a case is indexed and stored with the
index (``search.index.related`` explains the score and its reasons); here
they are read, one query for the whole list, so the case page costs the same
whatever the size of the library. Only published cases are shown.
"""

from __future__ import annotations

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
    """Up to ``limit`` published cases most like ``case``, best first, each with its reasons (one query)."""
    rows = (
        StoredRelatedCase.objects.filter(case_id=case.pk, related__status=Case.Status.PUBLISHED)
        .select_related("related")
        .order_by("rank")[:limit]
    )
    return [RelatedCase(row.related, row.score, tuple(row.topics.split()), tuple(row.words.split())) for row in rows]


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
