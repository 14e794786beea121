"""Searching and browsing cases: one entry point for the search page and the JSON API."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

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
    by_region = base.in_regions(regions) if regions else base
    by_topic = by_region.with_topics(topics) if topics else by_region

    query = parse_query(q)
    backend = get_backend()
    searching = bool(query.clauses or query.excluded)
    fallback = False
    matches = by_topic
    if searching:
        matches = by_topic.filter(pk__in=backend.match_ids(query))
        count = matches.count()
        if count == 0 and query.can_fall_back:
            query, fallback = query.as_any_word(), True
            matches = by_topic.filter(pk__in=backend.match_ids(query))
            count = matches.count()
    else:
        count = matches.count()

    pages = max(1, math.ceil(count / page_size))
    if page > pages:
        raise PageOutOfRange(page)
    offset = (page - 1) * page_size

    if query.clauses and sort == Sort.RELEVANCE:
        candidates = by_topic.values("pk").query.sql_with_params()
        ranked = backend.ranked_ids(query, candidates, limit=page_size, offset=offset)
    else:
        page_ids = matches.order_by(*Case._meta.ordering).values_list("pk", flat=True)[offset : offset + page_size]
        ranked = [(pk, None) for pk in page_ids]

    listing = Case.objects.for_listing()
    if searching:
        listing = listing.prefetch_related(Prefetch("items", queryset=CaseItem.objects.order_by("section", "position")))
    found = listing.in_bulk([pk for pk, _ in ranked])
    words = query.highlight_words()
    hits = [
        Hit(
            case=found[pk],
            score=score,
            title_html=mark(found[pk].title, words),
            passages=best_passages(found[pk], words) if words else [],
        )
        for pk, score in ranked
        if pk in found
    ]

    # Disjunctive facets: each family is counted without its own filter.
    matching = base.filter(pk__in=backend.match_ids(query)) if searching else base
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
        fallback=fallback,
    )
