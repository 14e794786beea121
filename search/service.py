"""Searching and browsing cases: one entry point for the search page and the JSON API."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cases.models import Case, CaseItem, Topic
from regions.models import Region

from .backends import get_backend
from .facets import FacetValue, region_facet, topic_facet
from .highlight import Passage, best_passages, mark
from .query import Query, parse_query


class Sort:
    RELEVANCE = "relevance"
    NUMBER = "number"
    CHOICES = [(RELEVANCE, "相关度"), (NUMBER, "案例编号")]


class PageOutOfRange(Exception):
    pass


@dataclass
class Hit:
    case: Case
    score: float | None
    title_html: str
    passages: list[Passage] = field(default_factory=list)


@dataclass
class SearchResults:
    query: Query
    q: str
    count: int
    page: int
    pages: int
    hits: list[Hit]
    region_facet: list[FacetValue]
    topic_facet: list[FacetValue]
    fallback: bool = False

    @property
    def is_search(self) -> bool:
        return bool(self.query.clauses or self.query.excluded)


@dataclass
class _Selection:
    """The cases a query and filters select, before paging."""

    query: Query
    by_topic: QuerySet[Case]  # the filters only
    matches: QuerySet[Case]  # the filters and the query
    count: int | None
    fallback: bool

    @property
    def searching(self) -> bool:
        return bool(self.query.clauses or self.query.excluded)

    def ranked_ids(self, sort: str, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        """(id, score) in result order: relevance when there are words to rank by, else collection and number."""
        if self.query.clauses and sort == Sort.RELEVANCE:
            candidates = self.by_topic.values("pk").query.sql_with_params()
            return get_backend().ranked_ids(self.query, candidates, limit=limit, offset=offset)
        ids = self.matches.order_by(*Case._meta.ordering).values_list("pk", flat=True)[offset : offset + limit]
        return [(pk, None) for pk in ids]


def _select(
    q: str, regions: Sequence[Region], topics: Sequence[Topic], base: QuerySet[Case], *, counted: bool = True
) -> _Selection:
    """Apply the filters and the query, falling back to any word when every word matches nothing.

    ``counted=False`` skips counting (exports need the ids, not the total); ``count`` is then None.
    """
    by_region = base.in_regions(regions) if regions else base
    by_topic = by_region.with_topics(topics) if topics else by_region
    query = parse_query(q)
    if not (query.clauses or query.excluded):
        return _Selection(query, by_topic, by_topic, by_topic.count() if counted else None, fallback=False)
    backend = get_backend()
    matches = by_topic.filter(pk__in=backend.match_ids(query))
    count = matches.count() if counted else None
    if query.can_fall_back and (count == 0 if counted else not matches.exists()):
        query = query.as_any_word()
        matches = by_topic.filter(pk__in=backend.match_ids(query))
        return _Selection(query, by_topic, matches, matches.count() if counted else None, fallback=True)
    return _Selection(query, by_topic, matches, count, fallback=False)


def search_cases(
    *,
    q: str = "",
    regions: Sequence[Region] = (),
    topics: Sequence[Topic] = (),
    sort: str = Sort.RELEVANCE,
    page: int = 1,
    page_size: int = 20,
    cases: QuerySet[Case] | None = None,
) -> SearchResults:
    """Published cases matching ``q`` within any of ``regions`` and any of ``topics``.

    With no searchable word in ``q`` this is the browse view, in collection and
    number order. The number of database queries does not depend on the number
    of results.
    """
    base = Case.objects.published() if cases is None else cases
    selection = _select(q, regions, topics, base)
    query = selection.query
    count = selection.count or 0
    pages = max(1, math.ceil(count / page_size))
    if page > pages:
        raise PageOutOfRange(page)
    ranked = selection.ranked_ids(sort, limit=page_size, offset=(page - 1) * page_size)

    found = Case.objects.for_listing().in_bulk([pk for pk, _ in ranked])
    words = query.highlight_words()
    passages = _passages(found.values()) if words else {}
    hits = [
        Hit(
            case=found[pk],
            score=score,
            title_html=mark(found[pk].title, words),
            passages=best_passages(passages[pk], words) if words else [],
        )
        for pk, score in ranked
        if pk in found
    ]

    # Disjunctive facets: each family is counted without its own filter.
    matching = base.filter(pk__in=get_backend().match_ids(query)) if selection.searching else base
    region_base = matching.with_topics(topics) if topics else matching
    topic_base = matching.in_regions(regions) if regions else matching
    return SearchResults(
        query=query,
        q=q,
        count=count,
        page=page,
        pages=pages,
        hits=hits,
        region_facet=region_facet(region_base, {r.slug for r in regions}),
        topic_facet=topic_facet(topic_base, {t.slug for t in topics}),
        fallback=selection.fallback,
    )


def _passages(cases: Iterable[Case]) -> dict[int, list[tuple[str, str]]]:
    """Each case's (section label, text) in document order: the summary, then every item (one query)."""
    passages = {case.pk: [("导语", case.summary)] for case in cases}
    labels = dict(CaseItem.Section.choices)
    items = (
        CaseItem.objects.filter(case_id__in=list(passages))
        .order_by("case_id", "section", "position", "pk")
        .values_list("case_id", "section", "heading", "body")
    )
    for case_id, section, heading, body in items:
        passages[case_id].append((labels[section], heading + body))
    return passages


def ranked_case_ids(
    *,
    q: str = "",
    regions: Sequence[Region] = (),
    topics: Sequence[Topic] = (),
    sort: str = Sort.RELEVANCE,
    limit: int,
) -> list[int]:
    """Ids of the published cases :func:`search_cases` lists, in its order, at most ``limit`` of them.

    The whole result set rather than one page, for exports: the same filters,
    the same any-word fallback and the same ranking, without hits or facets.
    """
    selection = _select(q, regions, topics, Case.objects.published(), counted=False)
    return [pk for pk, _ in selection.ranked_ids(sort, limit=limit, offset=0)]
