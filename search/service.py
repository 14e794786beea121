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
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from cases.models import Case, CaseItem, Collection, Topic
from regions.models import Region

from .facets import FacetCounts, Facets, FacetValue, library_counts, library_groups
from .filters import CaseFilter, SearchArguments, Sort
from .highlight import Passage, best_passages, mark
from .index.backends import SQL, IndexBackend, get_backend
from .index.champions import EXACT_RANK_LIMIT, candidate_ids, indexed_tokens, tokens_known
from .index.query import Query, Term, compound_candidates, compound_pieces, parse_query, with_alternatives
from .index.rows import ordering_sql, placeholders
from .index.synonyms import synonyms_of
from .index.text import query_tokens
from .index.version import pinned_content_version
from .index.vocabulary import closest_words, pinyin_completions, pinyin_spellings, suggest_words, words_for_pinyin
from .models import SearchDocument

__all__ = ["PageOutOfRange", "SearchArguments", "Sort", "planned_search", "ranked_case_ids", "search_cases"]


# Below this many results the page offers the closest words of the index.
# Partial matches are listed after the all-word matches only when fewer cases than this contain every word.
PARTIAL_LIMIT = 200


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
    all_word_count: int = 0  # of ``count``: the cases with every word; the others have only some of them
    partial_count: int = 0
    # Where on this page the partial matches begin (an index into ``hits``), if they begin on it.
    partial_from: int | None = None
    # "您是不是要找": (word of the index, the query with it in place of the word typed), when little is found.
    did_you_mean: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_search(self) -> bool:
        return self.query.is_search

    @property
    def synonyms(self) -> list[str]:
        return self.query.expanded_words("synonym")

    @property
    def pinyin(self) -> list[str]:
        return self.query.expanded_words("pinyin")


@dataclass
class SearchPlan:
    """What a search will list, and in which order.

    First the *all-word matches*: the cases that contain every word of the
    query, by relevance. Then, when fewer than ``PARTIAL_LIMIT`` cases contain
    them all, the *partial matches*: the cases that contain only some of the
    words, those covering most words first, then by relevance. A quoted phrase
    is required and an excluded word excluded in both. The facets count the
    all-word matches, or the partial ones when no case has every word.
    """

    backend: IndexBackend
    query: Query
    sort: Sort
    facets: Facets
    cases: QuerySet[Case]  # every case passing the filters, whatever its status
    filtered: bool
    counted_within: SQL | None  # what restricts the counted cases besides the facets (a collection)

    @functools.cached_property
    def all_word_counts(self) -> FacetCounts:
        """The number of all-word matches (every published case for a browse) and their facet counts."""
        if self._counted_together:
            return self._counted_together[0]
        return self._counts(self.query if self.query.is_search else None)

    @functools.cached_property
    def widened_counts(self) -> FacetCounts | None:
        """Counts of the cases that contain any of the words, when partial matches are listed."""
        if self._counted_together:
            return self._counted_together[1]
        if not (self.query.can_widen and self.all_word_counts.total < PARTIAL_LIMIT):
            return None
        return self._counts(self.query.widened())

    @functools.cached_property
    def _counted_together(self) -> tuple[FacetCounts, FacetCounts] | None:
        """Both counts from one statement, when partial matches are sure to be listed: in a library of fewer than
        ``PARTIAL_LIMIT`` published cases, fewer than that contain every word."""
        if not (self.query.can_widen and library_counts().total < PARTIAL_LIMIT):
            return None
        matches, widened = self.backend.facet_groups_widened(self.query, self.counted_within)
        return self.facets.count(matches), self.facets.count(widened)

    def _counts(self, query: Query | None) -> FacetCounts:
        if query is None and self.counted_within is None:  # browsing the whole library: counted once per change
            if not (self.facets.chosen_regions or self.facets.topic_filter):
                return library_counts()
            return self.facets.count(library_groups())
        return self.facets.count(self.backend.facet_groups(query, self.counted_within))

    @property
    def all_word_count(self) -> int:
        return self.all_word_counts.total

    @functools.cached_property
    def partial_count(self) -> int:
        """The number of partial matches listed after the all-word matches."""
        return self._partial[0]

    @property
    def total(self) -> int:
        return self.all_word_count + self.partial_count

    @property
    def counts(self) -> FacetCounts:
        """The counts the facets show: of the all-word matches, or of the partial ones when there are none."""
        if self.all_word_count == 0 and self.widened_counts is not None:
            return self.widened_counts
        return self.all_word_counts

    @property
    def fallback(self) -> bool:
        """No case has every word: every case listed has only some of them."""
        return self.all_word_count == 0 and self.partial_count > 0

    @functools.cached_property
    def _partial(self) -> tuple[int, SQL | None]:
        """(How many partial matches are listed, the subquery they are ranked within).

        More than ``EXACT_RANK_LIMIT`` partial matches are ranked among the champions of the query's words only.
        """
        if self.widened_counts is None:
            return 0, None
        partial = self.widened_counts.total - self.all_word_count
        if partial <= EXACT_RANK_LIMIT:
            return partial, _sql(self.cases) if self.filtered else None
        champions = self.cases.filter(pk__in=candidate_ids(self.query.tokens))
        listed = self._partial_matches(champions).count()
        return listed, _sql(champions)

    def _partial_matches(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        widened = cases.published().filter(pk__in=self.backend.match_ids(self.query.widened()))
        return widened.exclude(pk__in=self.backend.match_ids(self.query))

    def ranked(self, *, limit: int, offset: int = 0) -> list[tuple[int, float | None]]:
        """(id, score) of ``limit`` results from ``offset``: the all-word matches, then the partial ones."""
        if not self.query.is_search:  # browsing: nothing to count first
            return _in_order(self.cases.published(), self.sort, limit=limit, offset=offset)
        if self.sort != Sort.RELEVANCE and not self.query.can_widen:  # no partial matches follow: nothing to count
            return self._matches_in_order(limit=limit, offset=offset)
        first = min(limit, self.all_word_count - offset)
        if 0 < first < limit and self.partial_count and self._ranked_exactly:  # a page of both: one statement
            within = _sql(self.cases) if self.filtered else None
            return self.backend.ranked_with_partial(self.query, within, limit=limit, offset=offset)
        ranked = self._ranked_all_words(limit=first, offset=offset)
        rest = min(limit - len(ranked), self.total - offset - len(ranked))
        if rest > 0:
            ranked += self._ranked_partial(limit=rest, offset=max(0, offset - self.all_word_count))
        return ranked

    @property
    def _ranked_exactly(self) -> bool:
        """Whether the all-word and the partial matches are each ranked in full by relevance, within the filters
        alone, not among champions (``partial_count`` counts only the partial matches listed: see ``_partial``)."""
        return (
            self.sort == Sort.RELEVANCE
            and self.all_word_count <= EXACT_RANK_LIMIT
            and self.widened_counts is not None
            and self.widened_counts.total - self.all_word_count <= EXACT_RANK_LIMIT
            and not (self.backend.lists_hold_scores and self.query.one_token)
        )

    def _ranked_all_words(self, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        """By relevance when there are words to rank by, else in the cases' own order (collection and number)."""
        if limit <= 0:
            return []
        if not (self.query.clauses and self.sort == Sort.RELEVANCE):
            return self._matches_in_order(limit=limit, offset=offset)
        if self.all_word_count > EXACT_RANK_LIMIT or (self.backend.lists_hold_scores and self.query.one_token):
            return self._ranked_by_champions(limit=limit, offset=offset)
        within = _sql(self.cases) if self.filtered else None
        return list(self.backend.ranked_ids(self.query, within, limit=limit, offset=offset))

    def _matches_in_order(self, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        """The all-word matches in the order asked for (the cases' own, or the newest first), not ranked."""
        matches = self.cases.published().filter(pk__in=self.backend.match_ids(self.query))
        return _in_order(matches, self.sort, limit=limit, offset=offset)

    def _ranked_partial(self, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        if self.sort != Sort.RELEVANCE:
            return _in_order(self._partial_matches(self.cases), self.sort, limit=limit, offset=offset)
        return list(self.backend.ranked_by_coverage(self.query, self._partial[1], limit=limit, offset=offset))

    def _ranked_by_champions(self, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
        """The matches among the champions of the query's words first, then the others, each part by score.

        Pages within the champions rank a few thousand cases at most; a page past
        them ranks all the other matches, as every page would without champions.
        When the lists hold the backend's scores, a one-word query's champions are
        read from its list ranked already: every case not listed scores no more
        than the list's floor, so this is the exact ranking, whatever the filters.
        """
        query, count = self.query, self.all_word_count
        champions = candidate_ids(query.tokens)
        # A champion of a word contains it: when any single word is enough, every champion matches.
        all_match = len(query.clauses) == 1 and not query.excluded and all(len(t.tokens) == 1 for t in query.terms)
        ranked: list[tuple[int, float | None]] | None = self.backend.ranked_from_lists(
            query, _sql(self.cases) if self.filtered else None, limit=limit, offset=offset
        )
        if ranked is None:
            candidates = _sql(self.cases.filter(pk__in=champions))
            ranked = list(
                self.backend.ranked_ids(query, candidates, limit=limit, offset=offset, within_matches=all_match)
            )
        if len(ranked) == min(limit, count - offset):
            return ranked
        if ranked:
            listed = offset + len(ranked)
        else:
            matching_champions = self.cases.published().filter(pk__in=champions)
            listed = matching_champions.filter(pk__in=self.backend.match_ids(query)).count()
        others = _sql(self.cases.exclude(pk__in=champions))
        rest = self.backend.ranked_ids(query, others, limit=limit - len(ranked), offset=max(0, offset - listed))
        return ranked + rest


def planned_query(q: str) -> Query:
    """The query as typed, with the alternatives that let it find what the index holds.

    * a compound the index does not hold whole (外国专家) is also found as its pieces (外国 and 专家);
    * a word in toneless pinyin (jinrongchaoshi, or the whole query as jin rong chao shi) also finds the
      index words it spells (金融超市);
    * a word with synonyms in the curated table (展会) also finds them (会展, 展览), unless the word
      itself is in so many cases that its own list is longer than anyone reads (see ``tokens_known``).

    The words as typed weigh more in the ranking than their alternatives (see the backends).
    """
    typed = q.strip()
    if PINYIN_QUERY.fullmatch(typed) and any(character.isspace() for character in typed):
        # Pinyin typed syllable by syllable (jin rong chao shi) or word by word (youlun qukuailian): each word
        # it spells is a word of the query, which the cases may have all or only some of.
        spelt = pinyin_spellings(typed)
        if spelt:
            q = " ".join(letters for letters, _ in spelt)
        elif pinyin_completions(typed, 1):  # the syllables of the start of a longer word: "xiong an" as xiongan
            q = "".join(typed.split())
    query = parse_query(q)
    query = _with_completions(query)
    # Asked of the words as typed, in one query: which compounds the index holds whole, and which words with
    # synonyms are already in very many cases. The alternatives added below leave the words as typed as they are.
    with_synonyms = {
        term.tokens[0] for term in query.literal_terms if len(term.tokens) == 1 and synonyms_of(term.tokens[0])
    }
    indexed, common = tokens_known(compound_candidates(query), with_synonyms)
    if indexed:
        query = with_alternatives(query, compound_pieces(indexed), "pieces")
        for term in query.terms:
            if term.source == "pieces":
                query.notices.append(f"案例中没有“{term.text}”这个词，已拆成“{'”“'.join(term.tokens)}”检索。")
    query = with_alternatives(query, _pinyin_words, "pinyin", excluded=True)
    # A word already found in very many cases lists them before any synonym's: its synonyms would only
    # slow the search down (their champion lists are full).
    return with_alternatives(query, lambda token: [] if token in common else _synonyms(token), "synonym")


PINYIN_QUERY = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\s]+")
COMPLETIONS = 3  # index words tried for a word typed as the start of longer ones


def _with_completions(query: Query) -> Query:
    """A word typed without spaces that jieba breaks into single characters (西咸, 海铁) is mostly the start of a
    longer word it cannot cut out (西咸新区, 海铁联运): it becomes one word again, satisfied by all its pieces or by
    one of the most frequent index words it starts, rather than each piece counting alone."""
    clauses = list(query.clauses)
    for tokens in query.adjacent:
        if all(len(token) > 1 for token in tokens):
            continue
        start = _run_of(clauses, tokens)
        typed = "".join(tokens)
        words = suggest_words(typed, COMPLETIONS) if start is not None else []
        if not words:
            continue
        whole = [Term(typed, tokens), *(Term(word, (word,), source="completion") for word in words)]
        clauses[start : start + len(tokens)] = [whole]
        query.notices.append(f"“{typed}”不是一个完整的词，同时检索了以它开头的“{'”“'.join(words)}”。")
    return dataclasses.replace(query, clauses=clauses)


def _run_of(clauses: list[list[Term]], tokens: tuple[str, ...]) -> int | None:
    """Where the clauses hold these tokens one by one, each a clause of its own, as a word typed without spaces
    is split (see ``parse_query``)."""
    singles = [clause[0].tokens if len(clause) == 1 and not clause[0].source else None for clause in clauses]
    for start in range(len(clauses) - len(tokens) + 1):
        if singles[start : start + len(tokens)] == [(token,) for token in tokens]:
            return start
    return None


def _pinyin_words(token: str) -> list[tuple[str, ...]]:
    """The index words ``token`` spells in pinyin; or, spelling none whole, the longer ones it starts (xiongan:
    雄安新区), any of which will do."""
    if not PINYIN_QUERY.fullmatch(token):
        return []
    words = words_for_pinyin(token)
    if words:
        return [tuple(words)]
    return [(word,) for word in pinyin_completions(token, COMPLETIONS)]


def _synonyms(token: str) -> list[tuple[str, ...]]:
    return [tuple(query_tokens(word)) for word in synonyms_of(token)]


@contextlib.contextmanager
def planned_search(arguments: SearchArguments) -> Iterator[SearchPlan]:
    """Plan a search and keep the database set up for it while the caller ranks and reads its results.

    The counts are read when first needed.
    """
    backend = get_backend()
    with pinned_content_version():  # labels and synonyms read one version, once
        query = planned_query(arguments.q)
        with backend.searching() if query.is_search else contextlib.nullcontext():
            yield _plan(backend, query, arguments)


def _plan(backend: IndexBackend, query: Query, arguments: SearchArguments) -> SearchPlan:
    cases = CaseFilter.cases_for(arguments)
    return SearchPlan(
        backend=backend,
        query=query,
        sort=arguments.sort,
        facets=Facets(arguments.regions, arguments.topics),
        cases=cases,
        filtered=arguments.is_filtered,
        # Regions and topics are counted as facets; only a collection restricts the counted cases themselves.
        counted_within=_sql(cases) if arguments.collections else None,
    )


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
        pages = max(1, math.ceil(plan.total / page_size))
        if page > pages:
            raise PageOutOfRange(page)
        offset = (page - 1) * page_size
        ranked = plan.ranked(limit=page_size, offset=offset)
        words = plan.query.highlight_words()
        found, passages = _listed_cases([pk for pk, _ in ranked], with_passages=bool(words))
        labels = plan.facets.labels({pk: (case.region_key, case.topic_key) for pk, case in found.items()})
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
        count=plan.total,
        page=page,
        pages=pages,
        hits=hits,
        region_facet=plan.facets.region_facet(plan.counts),
        topic_facet=plan.facets.topic_facet(plan.counts),
        fallback=plan.fallback,
        all_word_count=plan.all_word_count,
        partial_count=plan.partial_count,
        partial_from=_partial_from(plan, offset, len(hits)),
        did_you_mean=_did_you_mean(plan.query, arguments.q) if _no_case_has_every_word(plan) else [],
    )


def _no_case_has_every_word(plan: SearchPlan) -> bool:
    """A word typed amiss (杭心贷 for 杭信贷) leaves no case with every word, however many have the others."""
    return plan.query.is_search and plan.all_word_count == 0


def _did_you_mean(query: Query, q: str) -> list[tuple[str, str]]:
    """The index words closest to the words typed that the index does not hold (by pinyin or edit distance).

    A word typed whole is looked at whole: 金容超市 (split into 金, 容 and 超市) suggests 金融超市.
    """
    typed = [term.text for term in query.literal_terms if len(term.tokens) == 1 and not term.phrase]
    typed = [word for word in [*typed, *("".join(run) for run in query.adjacent)] if len(word) > 1]
    unknown = set(typed) - indexed_tokens(typed)
    suggestions: list[tuple[str, str]] = []
    for word in sorted(unknown, key=len, reverse=True)[:3]:
        for close in closest_words(word, limit=3):
            suggestions.append((close, q.replace(word, close) if word in q else close))
    return list(dict.fromkeys(suggestions))[:5]


def _partial_from(plan: SearchPlan, offset: int, shown: int) -> int | None:
    start = plan.all_word_count - offset
    return start if plan.all_word_count and plan.partial_count and 0 <= start < shown else None


def ranked_case_ids(arguments: SearchArguments, *, limit: int) -> list[int]:
    """Ids of the published cases :func:`search_page` lists, in its order, at most ``limit`` of them (exports)."""
    with planned_search(arguments) as plan:
        return [pk for pk, _ in plan.ranked(limit=limit)]


def region_overview() -> list[FacetValue]:
    """Every province with published cases, with its cities and new areas, and their numbers of cases."""
    return Facets((), ()).region_facet(library_counts())


# The orders that do not rank: the cases' own (collection and number), or the newest first.
ORDERS = {Sort.NEWEST: ("-created_at", "-collection__year", "-number", "-pk")}


def _in_order(cases: QuerySet[Case], sort: Sort, *, limit: int, offset: int) -> list[tuple[int, float | None]]:
    ordering = ORDERS.get(sort, Case._meta.ordering)
    ids = cases.order_by(*ordering).values_list("pk", flat=True)[offset : offset + limit]
    return [(pk, None) for pk in ids]


def _sql(cases: QuerySet[Case]) -> SQL:
    sql, params = cases.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _listed_cases(ids: list[int], *, with_passages: bool) -> tuple[dict[int, Case], dict[int, list[tuple[str, str]]]]:
    """The cases of a page, by id, with what a result shows of them: number, title and summary, and the keys of
    their regions and topics in the index, ``region_key`` and ``topic_key`` (None if not indexed yet).

    With ``with_passages``, also each case's (section label, text) in document order, for the highlighted
    passages: the summary, then every item. One query either way: the items follow their case as rows of
    their own.
    """
    found: dict[int, Case] = {}
    passages: dict[int, list[tuple[str, str]]] = {}
    if not ids:
        return found, passages
    labels = dict(CaseItem.Section.choices)
    with connection.cursor() as cursor:
        cursor.execute(_listed_cases_sql(len(ids), with_passages), ids * 2 if with_passages else ids)
        for pk, section, number, title, text, region_key, topic_key, *_ in cursor:
            if section == CASE_ROW:
                case = found[pk] = Case.from_db(connection.alias, LISTED_FIELDS, (pk, number, title, text))
                case.region_key, case.topic_key = region_key, topic_key
                if with_passages:
                    passages[pk] = [("导语", text)]
            else:
                passages[pk].append((labels[section], title + text))
    return found, passages


LISTED_FIELDS = ("id", "number", "title", "summary")
CASE_ROW = -1  # the section of a case's own row in ``_listed_cases_sql``: before any item's, and none can be negative


@functools.lru_cache(maxsize=256)
def _listed_cases_sql(count: int, with_items: bool) -> str:
    """Written once for each number of cases: the ORM would compile the statement for every page.

    Columns: case id, section (``CASE_ROW`` for the case), number, title or heading, summary or body, region
    key, topic key, then the item's position and id, ordered as the items are (``CaseItem.Meta.ordering``).
    """
    quote, case, document, item = connection.ops.quote_name, Case._meta, SearchDocument._meta, CaseItem._meta
    facet_set = document.get_field("facet_set").related_model._meta
    case_pk, number, title, summary = (quote(case.get_field(name).column) for name in LISTED_FIELDS)
    item_case, section, heading, body, position = (
        quote(item.get_field(name).column) for name in ("case", "section", "heading", "body", "position")
    )
    item_pk = quote(item.pk.column)
    sql = (
        f"SELECT c.{case_pk} AS {item_case}, {CASE_ROW} AS {section}, c.{number}, c.{title}, c.{summary},"
        f" s.{quote(facet_set.get_field('region_ids').column)}, s.{quote(facet_set.get_field('topic_ids').column)},"
        f" 0 AS {position}, 0 AS {item_pk} FROM {quote(case.db_table)} c"
        f" LEFT JOIN {quote(document.db_table)} d ON d.{quote(document.pk.column)} = c.{case_pk}"
        f" LEFT JOIN {quote(facet_set.db_table)} s"
        f" ON s.{quote(facet_set.pk.column)} = d.{quote(document.get_field('facet_set').column)}"
        f" WHERE c.{case_pk} IN ({placeholders(count)})"
    )
    if not with_items:
        return sql
    return (
        f"{sql} UNION ALL SELECT {item_case}, {section}, NULL, {heading}, {body}, NULL, NULL, {position}, {item_pk}"
        f" FROM {quote(item.db_table)} WHERE {item_case} IN ({placeholders(count)}) ORDER BY {ordering_sql(item)}"
    )
