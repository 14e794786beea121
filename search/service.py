"""Searching and browsing cases: one entry point for the search page and the JSON API."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cases.models import Case, CaseItem, Topic
from regions.models import Region

from .facets import FacetCounts, Facets, FacetValue
from .highlight import Passage, best_passages, mark
from .index.backends import get_backend
from .index.champions import EXACT_RANK_LIMIT, candidate_ids
from .index.query import Query, parse_query


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
    regions: list[Region] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


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
) -> SearchResults:
    """Published cases matching ``q`` within any of ``regions`` and any of ``topics``.

    With no searchable word in ``q`` this is the browse view, in collection and
    number order. The number of database queries does not depend on the number
    of results.
    """
    backend = get_backend()
    query = parse_query(q)
    with backend.searching() if _is_search(query) else contextlib.nullcontext():
        facets = Facets(regions, topics)
        query, counts, fallback = _counted(query, facets)
        pages = max(1, math.ceil(counts.total / page_size))
        if page > pages:
            raise PageOutOfRange(page)
        offset = (page - 1) * page_size
        ranked = _ranked_ids(query, facets, sort, limit=page_size, offset=offset, count=counts.total)
        found = Case.objects.select_related("collection").in_bulk([pk for pk, _ in ranked])
        labels = facets.labels(found)
        words = query.highlight_words()
        passages = _passages(found.values()) if words else {}
    hits = [
        Hit(
            case=found[pk],
            score=score,
            title_html=mark(found[pk].title, words),
            passages=best_passages(passages[pk], words) if words else [],
            regions=labels[pk][0],
            topics=labels[pk][1],
        )
        for pk, score in ranked
        if pk in found
    ]
    return SearchResults(
        query=query,
        q=q,
        count=counts.total,
        page=page,
        pages=pages,
        hits=hits,
        region_facet=facets.region_facet(counts),
        topic_facet=facets.topic_facet(counts),
        fallback=fallback,
    )


def region_overview() -> list[FacetValue]:
    """Every province with published cases, with its cities and new areas, and their numbers of cases."""
    facets = Facets((), ())
    return facets.region_facet(facets.count(get_backend().facet_groups(None)))


def _is_search(query: Query) -> bool:
    return bool(query.clauses or query.excluded)


def _counted(query: Query, facets: Facets) -> tuple[Query, FacetCounts, bool]:
    """The query to run, the counts of its results, and whether it fell back to any word."""
    groups = get_backend().facet_groups(query if _is_search(query) else None)
    counts = facets.count(groups)
    if counts.total == 0 and query.can_fall_back:
        query = query.as_any_word()
        return query, facets.count(get_backend().facet_groups(query)), True
    return query, counts, False


def _ranked_ids(
    query: Query, facets: Facets, sort: str, *, limit: int, offset: int, count: int
) -> list[tuple[int, float | None]]:
    """(id, score) of one page of results: by relevance when there are words to rank by, else by collection and number.

    More than ``EXACT_RANK_LIMIT`` results are ranked by :func:`_ranked_by_champions`.
    """
    # The filters by region and topic ids, a province's own regions included: with the ids
    # spelled out PostgreSQL can estimate how few cases they leave, and filter before ranking.
    filtered = Case.objects.all()
    if facets.selected_regions:
        links = Case.regions.through.objects.filter(region_id__in=sorted(facets.region_filter))
        filtered = filtered.filter(pk__in=links.values("case_id"))
    if facets.selected_topics:
        links = Case.topics.through.objects.filter(topic_id__in=sorted(facets.topic_filter))
        filtered = filtered.filter(pk__in=links.values("case_id"))
    backend = get_backend()
    if not (query.clauses and sort == Sort.RELEVANCE):
        matches = filtered.published()
        if _is_search(query):
            matches = matches.filter(pk__in=backend.match_ids(query))
        ids = matches.order_by(*Case._meta.ordering).values_list("pk", flat=True)[offset : offset + limit]
        return [(pk, None) for pk in ids]
    if count > EXACT_RANK_LIMIT:
        return _ranked_by_champions(query, filtered, limit=limit, offset=offset, count=count)
    within = _sql(filtered) if facets.selected_regions or facets.selected_topics else None
    return backend.ranked_ids(query, within, limit=limit, offset=offset)


def _ranked_by_champions(
    query: Query, filtered: QuerySet[Case], *, limit: int, offset: int, count: int
) -> list[tuple[int, float]]:
    """The matches among the champions of the query's words first, then the others, each part by score.

    Pages within the champions rank a few thousand cases at most; a page past
    them ranks all the other matches, as every page would without champions.
    """
    backend = get_backend()
    champions = candidate_ids(query.tokens)
    # A champion of a word contains it: when any single word is enough, every champion matches.
    all_match = len(query.clauses) == 1 and not query.excluded and all(len(t.tokens) == 1 for t in query.terms)
    ranked = backend.ranked_ids(
        query, _sql(filtered.filter(pk__in=champions)), limit=limit, offset=offset, within_matches=all_match
    )
    if len(ranked) == min(limit, count - offset):
        return ranked
    if ranked:
        listed = offset + len(ranked)
    else:
        listed = filtered.published().filter(pk__in=champions).filter(pk__in=backend.match_ids(query)).count()
    others = _sql(filtered.exclude(pk__in=champions))
    return ranked + backend.ranked_ids(query, others, limit=limit - len(ranked), offset=max(0, offset - listed))


def _sql(cases: QuerySet[Case]) -> tuple[str, list]:
    sql, params = cases.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


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
    query = parse_query(q)
    if not _is_search(query):  # the browse order: nothing to count or rank
        browse = _ranked_ids(query, Facets(regions, topics), sort, limit=limit, offset=0, count=0)
        return [pk for pk, _ in browse]
    with get_backend().searching():
        facets = Facets(regions, topics)
        query, counts, _ = _counted(query, facets)
        ranked = _ranked_ids(query, facets, sort, limit=limit, offset=0, count=counts.total)
    return [pk for pk, _ in ranked]
