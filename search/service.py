"""Searching and browsing cases: one planning function for the search page, the JSON API and the exports.

:func:`planned_search` turns validated arguments into a :class:`SearchPlan`:
the parsed query, the filtered cases, the result and facet counts, and the
any-word fallback when no case has every word. :func:`search_cases` pages and
highlights a plan's results; :func:`ranked_case_ids` lists them whole, for the
exports. Both rank through :meth:`SearchPlan.ranked`, so every caller sees the
same cases in the same order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cases.models import Case, CaseItem, Collection, Topic
from regions.models import Region

from .facets import FacetCounts, Facets, FacetValue
from .filters import CaseFilter, SearchArguments, Sort
from .highlight import Passage, best_passages, mark
from .index.backends import SQL, IndexBackend, get_backend
from .index.champions import EXACT_RANK_LIMIT, candidate_ids
from .index.query import Query, parse_query

__all__ = ["PageOutOfRange", "SearchArguments", "Sort", "planned_search", "ranked_case_ids", "search_cases"]


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
        return self.query.is_search


@dataclass
class SearchPlan:
    """What a search will list: the query to run (after any fallback), the filters and the counts."""

    backend: IndexBackend
    query: Query
    sort: Sort
    facets: Facets
    cases: QuerySet[Case]  # every case passing the filters, whatever its status
    filtered: bool
    counted_within: SQL | None  # what restricts the counted cases besides the facets (a collection)
    fallback: bool = False

    @functools.cached_property
    def counts(self) -> FacetCounts:
        """The result count and both facet families' counts, from one grouped query."""
        groups = self.backend.facet_groups(self.query if self.query.is_search else None, self.counted_within)
        return self.facets.count(groups)

    def ranked(self, *, limit: int, offset: int = 0) -> list[tuple[int, float | None]]:
        """(id, score) of ``limit`` results from ``offset``: by relevance when there are words to rank by,
        else in the cases' own order (collection and number)."""
        if not (self.query.clauses and self.sort == Sort.RELEVANCE):
            matches = self.cases.published()
            if self.query.is_search:
                matches = matches.filter(pk__in=self.backend.match_ids(self.query))
            ids = matches.order_by(*Case._meta.ordering).values_list("pk", flat=True)[offset : offset + limit]
            return [(pk, None) for pk in ids]
        if self.counts.total > EXACT_RANK_LIMIT:
            return self._ranked_by_champions(limit=limit, offset=offset)
        within = _sql(self.cases) if self.filtered else None
        return self.backend.ranked_ids(self.query, within, limit=limit, offset=offset)

    def _ranked_by_champions(self, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        """The matches among the champions of the query's words first, then the others, each part by score.

        Pages within the champions rank a few thousand cases at most; a page past
        them ranks all the other matches, as every page would without champions.
        """
        query, count = self.query, self.counts.total
        champions = candidate_ids(query.tokens)
        # A champion of a word contains it: when any single word is enough, every champion matches.
        all_match = len(query.clauses) == 1 and not query.excluded and all(len(t.tokens) == 1 for t in query.terms)
        ranked: list[tuple[int, float | None]] = list(
            self.backend.ranked_ids(
                query, _sql(self.cases.filter(pk__in=champions)), limit=limit, offset=offset, within_matches=all_match
            )
        )
        if len(ranked) == min(limit, count - offset):
            return ranked
        if ranked:
            listed = offset + len(ranked)
        else:
            listed = (
                self.cases.published().filter(pk__in=champions).filter(pk__in=self.backend.match_ids(query)).count()
            )
        others = _sql(self.cases.exclude(pk__in=champions))
        return ranked + self.backend.ranked_ids(
            query, others, limit=limit - len(ranked), offset=max(0, offset - listed)
        )


@contextlib.contextmanager
def planned_search(arguments: SearchArguments) -> Iterator[SearchPlan]:
    """Plan a search and keep the database set up for it while the caller ranks and reads its results.

    When no case has every word and the query can be widened, it falls back to
    any word (and says so in ``fallback``). The counts are read when first needed.
    """
    backend = get_backend()
    query = parse_query(arguments.q)
    with backend.searching() if query.is_search else contextlib.nullcontext():
        cases = CaseFilter.cases_for(arguments)
        plan = SearchPlan(
            backend=backend,
            query=query,
            sort=arguments.sort,
            facets=Facets(arguments.regions, arguments.topics),
            cases=cases,
            filtered=arguments.is_filtered,
            # Regions and topics are counted as facets; only a collection restricts the counted cases themselves.
            counted_within=_sql(cases) if arguments.collections else None,
        )
        if query.is_search and query.can_fall_back and plan.counts.total == 0:
            plan = dataclasses.replace(plan, query=query.as_any_word(), fallback=True)
        yield plan


def search_cases(
    *,
    q: str = "",
    regions: Sequence[Region] = (),
    topics: Sequence[Topic] = (),
    collections: Sequence[Collection] = (),
    sort: str = Sort.RELEVANCE,
    page: int = 1,
    page_size: int = 20,
) -> SearchResults:
    """One page of the published cases matching ``q`` within any of ``regions``, ``topics`` and ``collections``.

    With no searchable word in ``q`` this is the browse view, in collection and
    number order. The number of database queries does not depend on the number
    of results.
    """
    arguments = SearchArguments(q, tuple(regions), tuple(topics), tuple(collections), Sort(sort))
    return search_page(arguments, page=page, page_size=page_size)


def search_page(arguments: SearchArguments, *, page: int = 1, page_size: int = 20) -> SearchResults:
    """:func:`search_cases` for arguments a :class:`~search.filters.CaseFilter` validated."""
    with planned_search(arguments) as plan:
        pages = max(1, math.ceil(plan.counts.total / page_size))
        if page > pages:
            raise PageOutOfRange(page)
        ranked = plan.ranked(limit=page_size, offset=(page - 1) * page_size)
        found = Case.objects.select_related("collection").in_bulk([pk for pk, _ in ranked])
        labels = plan.facets.labels(found)
        words = plan.query.highlight_words()
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
        query=plan.query,
        q=arguments.q,
        count=plan.counts.total,
        page=page,
        pages=pages,
        hits=hits,
        region_facet=plan.facets.region_facet(plan.counts),
        topic_facet=plan.facets.topic_facet(plan.counts),
        fallback=plan.fallback,
    )


def ranked_case_ids(arguments: SearchArguments, *, limit: int) -> list[int]:
    """Ids of the published cases :func:`search_page` lists, in its order, at most ``limit`` of them (exports)."""
    with planned_search(arguments) as plan:
        return [pk for pk, _ in plan.ranked(limit=limit)]


def region_overview() -> list[FacetValue]:
    """Every province with published cases, with its cities and new areas, and their numbers of cases."""
    facets = Facets((), ())
    return facets.region_facet(facets.count(get_backend().facet_groups(None)))


def _sql(cases: QuerySet[Case]) -> SQL:
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
