"""Related cases and the neighbours of a case in its collection, for the case page.

The related cases are computed when a case is indexed and stored with the
index (``search.index.related`` explains the score and its reasons); here
they are read, one query for the whole list, so the case page costs the same
whatever the size of the library. Only published cases are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Subquery

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
    """The published cases just before and after ``case`` in its collection, by number (one indexed query)."""
    same = Case.objects.published().filter(collection_id=case.collection_id)
    before = same.filter(number__lt=case.number).order_by("-number").values("number")[:1]
    after = same.filter(number__gt=case.number).order_by("number").values("number")[:1]
    either = Q(number=Subquery(before)) | Q(number=Subquery(after))
    found = same.filter(either).only("pk", "number", "title").order_by()
    by_side = {other.number < case.number: other for other in found}
    return by_side.get(True), by_side.get(False)
