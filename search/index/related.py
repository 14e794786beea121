"""Related cases, computed when a case is indexed and stored, so that the case page reads them in one query.

A related case earns a simple, explainable score:

* 1 point for each topic the two cases share (同属主题), and
* up to 3 points for text similarity (内容相近): the cosine of the two cases'
  TF-IDF vectors over their content words (title words count three times,
  item headings twice, other text once).

Words that carry no content of their own are left out: region and topic
names (topics are scored on their own), words found in more than half of the
published cases, a short list of common words of official documents, single
characters and numbers. The reasons stored list the shared topics and the
shared words that weigh most.

The work for one written case is bounded, whatever the size of the library:

* its vector (:class:`RelatedTerms`) keeps its ``TERMS_KEPT`` strongest words,
  weighed with the document frequencies of the champion lists (one query);
* candidates are the champions of its ``CANDIDATE_WORDS`` strongest words
  (``CANDIDATES_PER_WORD`` each) and up to ``TOPIC_CANDIDATES`` cases that
  share a topic with it;
* each candidate is scored against its stored vector, the best
  ``RELATED_LIMIT`` are kept, and the lists of the candidates it now enters
  (or leaves) are updated in the same write.

A list can still go stale: a case another one would now rank higher without
being its candidate, document frequencies that drift as the library grows, a
list that lost a case unpublished or deleted. ``reindex`` recomputes every
vector and list (:func:`related_rebuild`); run it periodically, e.g. nightly.
The case page reads only published related cases, so a draft never appears.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import Count, Q

from cases.models import Case, Topic
from regions.models import Region
from search.models import Champion, RelatedCase, RelatedTerms, SearchDocument, SearchText

from .documents import case_topics
from .text import document_tokens

TOPIC_POINTS = 1.0
TEXT_POINTS = 3.0
# Below this cosine the shared words are too few or too common to count.
MIN_SIMILARITY = 0.1
WORDS_SHOWN = 3
RELATED_LIMIT = 5
TERMS_KEPT = 200  # the strongest words of a case that its stored vector keeps (a 2020 case has at most 213)
CANDIDATE_WORDS = 10
CANDIDATES_PER_WORD = 20
TOPIC_CANDIDATES = 50
REBUILD_CHUNK_SIZE = 200
CHUNK_SIZE = 500  # cases or lists per statement in the set operations of bulk changes
# Parsed vectors of other cases kept by one indexing run (about 10 KB each): the cases an import writes are
# each other's candidates, and a popular case is a candidate of many.
VECTORS_KEPT = 5000
RELATE_CHUNK_SIZE = 200  # cases whose lists one transaction rewrites
FINDER_KEPT = 20_000  # words (and sets of topics) whose candidates a run keeps
# (SearchText field, how many times a token in it counts)
FIELD_WEIGHTS = (("title", 3), ("heading", 2), ("body", 1))
# Common words of official documents that make two cases look alike without saying what they share.
_COMMON_WORDS = """
    采取 突破 加速 加快 加大 大力 人员 制度 指导 评价 面向 关系 效应 营造 优质 聚焦 鼓励 引领 特色 本地
    关于 吸引 参与 高效 形成 应用 过程 团队 制定 到底 继续 全程 增强 规模 设计 截至 包括 分别 系统 组织
    工作 各类 领域 时间 效率 充分 传统 行业 开放 优秀 体系 活动 交流 实施 明确 范围 推进 提升 实现 进一步
    一条 人民 首个 初步 真正 前提 取得 思路 先期 代表 打响 法定 控制
"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())
_CONTENT_WORD = re.compile(r"^(?=.*[\u4e00-\u9fff])\w{2,}$")
MAX_TOKEN_LENGTH = Champion._meta.get_field("token").max_length


@dataclass(frozen=True)
class _Scored:
    case_id: int
    related_id: int
    score: float
    topics: tuple[str, ...]
    words: tuple[str, ...] | None  # None until the entry is kept in a list (see _with_words)
    products: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)  # of the shared words


def label_words() -> frozenset[str]:
    """The tokens of every region's and topic's name, as the index segments labels (two queries)."""
    names = [region.full_name for region in Region.objects.select_related("parent")]
    names += list(Topic.objects.values_list("name", flat=True))
    return frozenset(document_tokens(" ".join(names)))


def content_counts(tokens: Mapping[str, list[str]], labels: frozenset[str]) -> Counter[str]:
    """A case's content words, each counted with its field's weight."""
    counted: Counter[str] = Counter()
    for name, weight in FIELD_WEIGHTS:
        for token in tokens.get(name, []):
            if token not in labels and token not in COMMON_WORDS and _CONTENT_WORD.match(token):
                counted[token] += weight
    return counted


def document_frequencies(words: Iterable[str]) -> tuple[dict[str, int], int]:
    """How many cases hold each word, from the champion lists, and how many cases there are (two queries).

    A list cut at its floor counts at least as many cases as it holds; that
    only makes very common words a little less common than they are.
    """
    words = sorted({word for word in words if len(word) <= MAX_TOKEN_LENGTH})
    counts = dict(
        Champion.objects.filter(token__in=words).values("token").annotate(n=Count("case_id")).values_list("token", "n")
    )
    total = SearchDocument.objects.count()  # the lists hold drafts too (see ``champions``)
    return counts, total


def unit_vector(counted: Counter[str], frequency: Mapping[str, int], total: int) -> dict[str, float]:
    """TF-IDF of the words found in at least two published cases and at most half, at unit length;
    only the ``TERMS_KEPT`` strongest are kept, so the dot product of two kept vectors is at most their cosine."""
    vector = {
        word: (1 + math.log(n)) * math.log(total / frequency[word])
        for word, n in counted.items()
        if 2 <= frequency.get(word, 0) <= total / 2
    }
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    strongest = sorted(vector.items(), key=lambda pair: (-pair[1], pair[0]))[:TERMS_KEPT]
    return {word: value / norm for word, value in strongest}


def _terms_text(vector: Mapping[str, float]) -> str:
    return " ".join(f"{word}:{value:.5f}" for word, value in sorted(vector.items(), key=lambda pair: -pair[1]))


def _parse_terms(text: str) -> dict[str, float]:
    pairs = (part.rsplit(":", 1) for part in text.split())
    return {word: float(value) for word, value in pairs}


def related_write(rows: list[tuple[int, Mapping[str, list[str]]]], cases: list[Case]) -> None:
    """Store the vectors and related lists of these just-indexed cases, and update their candidates' lists.

    ``rows`` are (case id, tokens by field) as the index wrote them; ``cases`` have their topics prefetched.
    """
    if not rows:
        return
    labels = label_words()
    counts = {pk: content_counts(tokens, labels) for pk, tokens in rows}
    frequency, total = document_frequencies(
        word for counted in counts.values() for word, _ in counted.most_common(TERMS_KEPT * 2)
    )
    vectors = {pk: unit_vector(counted, frequency, total) for pk, counted in counts.items()}
    texts = {pk: _terms_text(vector) for pk, vector in vectors.items()}
    RelatedTerms.objects.bulk_create(
        [RelatedTerms(case_id=pk, terms=text) for pk, text in texts.items()],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["terms"],
    )
    known = _KnownVectors({pk: _parse_terms(text) for pk, text in texts.items()})  # as stored, so as others read them
    by_pk = {case.pk: case for case in cases}
    ordered = [by_pk[pk] for pk in sorted(vectors) if pk in by_pk]
    finder = _CandidateFinder()
    for start in range(0, len(ordered), RELATE_CHUNK_SIZE):
        _relate_many(ordered[start : start + RELATE_CHUNK_SIZE], vectors, known, finder, update_others=True)


class _KnownVectors:
    """The stored vectors one run has read, parsed once: the run's own cases' always, others' up to ``VECTORS_KEPT``."""

    def __init__(self, own: dict[int, dict[str, float]]) -> None:
        self.own = own
        self.others: dict[int, dict[str, float]] = {}

    def get(self, case_id: int) -> dict[str, float] | None:
        vector = self.own.get(case_id)
        return vector if vector is not None else self.others.get(case_id)

    def add(self, case_id: int, vector: dict[str, float]) -> None:
        if len(self.others) >= VECTORS_KEPT:
            del self.others[next(iter(self.others))]
        self.others[case_id] = vector

    def published(self, candidates: Iterable[int]) -> dict[int, dict[str, float]]:
        """The vectors of those candidates that are published; only those not read before are fetched."""
        published: list[int] = []
        for chunk in _chunks(sorted(set(candidates))):
            rows = RelatedTerms.objects.filter(case_id__in=chunk, case__search_document__published=True)
            published += rows.values_list("case_id", flat=True)
        for chunk in _chunks([pk for pk in published if self.get(pk) is None]):
            for pk, text in RelatedTerms.objects.filter(case_id__in=chunk).values_list("case_id", "terms"):
                self.add(pk, _parse_terms(text))
        vectors = {pk: self.get(pk) for pk in published}
        return {pk: vector for pk, vector in vectors.items() if vector is not None}


def related_forget(case_ids: list[int]) -> None:
    """Cases withdrawn: they leave the lists of the other cases (which refill at the next reindex).

    Their own lists are kept, and with them the places they hold in each other's (cases withdrawn
    together): their text is the same, and the lists serve again when they are published again
    (see :func:`related_enter`).
    """
    withdrawn = set(case_ids)
    ordered = sorted(withdrawn)
    for start in range(0, len(ordered), CHUNK_SIZE):
        rows = RelatedCase.objects.filter(related_id__in=ordered[start : start + CHUNK_SIZE])
        rows = rows.order_by("case_id", "rank", "pk").select_for_update().values_list("pk", "case_id")
        stale = [pk for pk, owner in rows if owner not in withdrawn]
        for first in range(0, len(stale), CHUNK_SIZE):
            RelatedCase.objects.filter(pk__in=stale[first : first + CHUNK_SIZE]).delete()


def related_enter(case_ids: list[int]) -> None:
    """Cases published again, their text unchanged: each enters the lists of the cases its own list names,
    where it now ranks (the score is the same from either side).

    A few statements for each ``CHUNK_SIZE`` of the lists entered, whatever the number of cases, instead of
    looking for each case's candidates again: a case it would now rank in without naming it in its own
    list enters that list at the next reindex.
    """
    entering: dict[int, list[_Scored]] = {}
    for start in range(0, len(case_ids), CHUNK_SIZE):
        rows = RelatedCase.objects.filter(case_id__in=case_ids[start : start + CHUNK_SIZE])
        for row in rows.filter(related__status=Case.Status.PUBLISHED):
            entering.setdefault(row.related_id, []).append(_mirror(_scored(row)))
    owners = sorted(entering)
    for start in range(0, len(owners), CHUNK_SIZE):
        lists = _locked_lists(owners[start : start + CHUNK_SIZE])
        wanted = {}
        for owner, rows in lists.items():
            newcomers = {entry.related_id: entry for entry in entering[owner]}
            kept = [_scored(row) for row in rows if row.related_id not in newcomers]
            wanted[owner] = sorted([*kept, *newcomers.values()], key=_rank_key)[:RELATED_LIMIT]
        _replace_lists(lists, wanted)


def related_relabel(case_ids: list[int]) -> None:
    """The topics of these cases changed (given, taken, merged or renamed): the stored lists that name them
    show the topics each pair now shares, scored and ordered again.

    The text part of each score is kept; pairs that now share a topic without being listed are found at
    the next reindex. A few statements for each ``CHUNK_SIZE`` of cases.
    """
    names = dict(Topic.objects.values_list("pk", "name"))
    order = {pk: index for index, pk in enumerate(Topic.objects.values_list("pk", flat=True))}  # Topic's ordering
    for start in range(0, len(case_ids), CHUNK_SIZE):
        chunk = case_ids[start : start + CHUNK_SIZE]
        touched = RelatedCase.objects.filter(Q(case_id__in=chunk) | Q(related_id__in=chunk))
        owners = sorted(set(touched.values_list("case_id", flat=True)))
        for first in range(0, len(owners), CHUNK_SIZE):
            lists = _locked_lists(owners[first : first + CHUNK_SIZE])
            listed = set(lists) | {row.related_id for rows in lists.values() for row in rows}
            topics: dict[int, set[int]] = {pk: set() for pk in listed}
            links = Case.topics.through.objects.filter(case_id__in=sorted(listed)).values_list("case_id", "topic_id")
            for case_id, topic_id in links:
                topics[case_id].add(topic_id)
            wanted = {}
            for owner, rows in lists.items():
                entries = []
                for row in rows:
                    shared = sorted(topics[owner] & topics[row.related_id], key=order.__getitem__)
                    text_points = row.score - TOPIC_POINTS * len(_split(row.topics))
                    entries.append(
                        _Scored(
                            owner,
                            row.related_id,
                            round(TOPIC_POINTS * len(shared) + text_points, 3),
                            tuple(names[pk] for pk in shared),
                            _split(row.words),
                        )
                    )
                wanted[owner] = sorted(entries, key=_rank_key)
            _replace_lists(lists, wanted)


def _scored(row: RelatedCase) -> _Scored:
    return _Scored(row.case_id, row.related_id, row.score, _split(row.topics), _split(row.words))


def _rank_key(entry: _Scored) -> tuple[float, int]:
    return (-entry.score, entry.related_id)


def _relate_many(
    cases: list[Case],
    vectors: Mapping[int, dict[str, float]],
    known: _KnownVectors,
    finder: _CandidateFinder,
    *,
    update_others: bool,
) -> None:
    """Score the candidates of each case in id order, store its list and, when asked, enter it in theirs.

    The lists change in memory exactly as they would were the cases related one after another, each
    reading the lists the one before wrote; then the lists that end up different are rewritten at once.
    A draft leaves every list it was in. ``vectors`` are the cases' own; ``known`` reads the others' as stored.
    """
    candidates = {case.pk: finder.candidates(case, vectors.get(case.pk, {})) for case in cases}
    stored_vectors = known.published(pk for found in candidates.values() for pk in found)
    topic_links: dict[int, set[int]] = {}
    for chunk in _chunks(sorted(stored_vectors)):
        links = Case.topics.through.objects.filter(case_id__in=chunk).values_list("case_id", "topic_id")
        for case_id, topic_id in links:
            topic_links.setdefault(case_id, set()).add(topic_id)
    drafts = [case.pk for case in cases if case.status != Case.Status.PUBLISHED]
    with transaction.atomic():
        holders: dict[int, set[int]] = {}  # a draft → the cases whose lists hold it
        for chunk in _chunks(drafts):
            for owner, related in RelatedCase.objects.filter(related_id__in=chunk).values_list("case_id", "related_id"):
                holders.setdefault(related, set()).add(owner)
        owners = {case.pk for case in cases} | {owner for found in holders.values() for owner in found}
        if update_others:  # and the published candidates of the published cases
            owners |= {
                pk
                for case in cases
                if case.status == Case.Status.PUBLISHED
                for pk in candidates[case.pk]
                if pk in stored_vectors
            }
        stored = _locked_lists(sorted(owners))
        lists = {owner: [_scored(row) for row in rows] for owner, rows in stored.items()}
        for case in cases:
            mine = vectors.get(case.pk, {})
            my_topics = case_topics(case)
            theirs = {pk: stored_vectors[pk] for pk in candidates[case.pk] if pk in stored_vectors}
            found = [
                scored
                for other in sorted(theirs)
                if (scored := _score(case.pk, mine, my_topics, other, theirs[other], topic_links.get(other, set())))
            ]
            found.sort(key=_rank_key)
            for owner in holders.get(case.pk, ()):  # a draft leaves the lists it was in
                lists[owner] = [entry for entry in lists[owner] if entry.related_id != case.pk]
            lists[case.pk] = found[:RELATED_LIMIT]
            if update_others and case.status == Case.Status.PUBLISHED:
                mirrored = {scored.related_id: _mirror(scored) for scored in found}
                for other in theirs:  # its candidates' lists, with it where it now ranks, or without it
                    kept = [entry for entry in lists[other] if entry.related_id != case.pk]
                    if other in mirrored:
                        kept.append(mirrored[other])
                    lists[other] = sorted(kept, key=_rank_key)[:RELATED_LIMIT]
        _replace_lists(stored, {owner: [_with_words(entry) for entry in entries] for owner, entries in lists.items()})


class _CandidateFinder:
    """The candidates of cases (:meth:`candidates`), each word's champions and each set of topics' cases read once.

    The champion lists and topics do not change while the index writes one batch; what a run reads is
    bounded (``FINDER_KEPT`` words and sets of topics, each with a few dozen ids).
    """

    def __init__(self) -> None:
        self.by_word: dict[str, list[int]] = {}
        self.by_topics: dict[tuple[int, ...], list[int]] = {}

    def candidates(self, case: Case, vector: Mapping[str, float]) -> list[int]:
        """The champions of the case's strongest words and some cases sharing a topic: a few hundred at most."""
        words = [word for word, _ in sorted(vector.items(), key=lambda pair: (-pair[1], pair[0]))[:CANDIDATE_WORDS]]
        self._read_words([word for word in words if word not in self.by_word])
        found = {pk for word in words for pk in self.by_word.get(word, ())}
        topic_ids = tuple(sorted(topic.pk for topic in case_topics(case)))
        if topic_ids:
            if topic_ids not in self.by_topics:
                links = (
                    Case.topics.through.objects.filter(topic_id__in=topic_ids, case__status=Case.Status.PUBLISHED)
                    .order_by("-case_id")
                    .values_list("case_id", flat=True)
                    .distinct()
                )
                _keep(self.by_topics, topic_ids, list(links[: TOPIC_CANDIDATES + 1]))  # one may be the case itself
            found.update([pk for pk in self.by_topics[topic_ids] if pk != case.pk][:TOPIC_CANDIDATES])
        found.discard(case.pk)
        return sorted(found)

    def _read_words(self, words: list[str]) -> None:
        """Each word's ``CANDIDATES_PER_WORD`` strongest champions, for all the words in one query."""
        if not words:
            return
        table = connection.ops.quote_name(Champion._meta.db_table)
        strongest = (
            f"SELECT {{0}} AS word, case_id FROM (SELECT case_id FROM {table} WHERE token = %s "
            f"ORDER BY weight DESC, case_id LIMIT %s) s{{0}}"
        )
        sql = " UNION ALL ".join(strongest.format(index) for index in range(len(words)))
        found: dict[str, list[int]] = {word: [] for word in words}
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for word in words for value in (word, CANDIDATES_PER_WORD)])
            for index, case_id in cursor.fetchall():
                found[words[index]].append(case_id)
        for word, ids in found.items():
            _keep(self.by_word, word, ids)


def _keep(cache: dict, key: object, value: object) -> None:
    if len(cache) >= FINDER_KEPT:
        del cache[next(iter(cache))]
    cache[key] = value


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _locked_lists(owners: list[int]) -> dict[int, list[RelatedCase]]:
    """The stored lists of these cases, their rows locked in case id order (so two writers never wait in a circle)."""
    lists: dict[int, list[RelatedCase]] = {owner: [] for owner in owners}
    for chunk in _chunks(owners):
        rows = RelatedCase.objects.filter(case_id__in=chunk).order_by("case_id", "rank", "pk").select_for_update()
        for row in rows:
            lists[row.case_id].append(row)
    return lists


def _replace_lists(lists: dict[int, list[RelatedCase]], wanted: dict[int, list[_Scored]]) -> None:
    """Rewrite the lists that change (two queries)."""
    changed = {
        owner: entries
        for owner, entries in wanted.items()
        if [(entry.related_id, entry.score, entry.topics, entry.words) for entry in entries]
        != [(row.related_id, row.score, _split(row.topics), _split(row.words)) for row in lists.get(owner, [])]
    }
    if not changed:
        return
    stale = [row.pk for owner in changed for row in lists.get(owner, [])]
    for chunk in _chunks(stale):
        RelatedCase.objects.filter(pk__in=chunk).delete()
    RelatedCase.objects.bulk_create(
        [_row(entry, rank) for entries in changed.values() for rank, entry in enumerate(entries, 1)],
        batch_size=1000,
    )


def _mirror(scored: _Scored) -> _Scored:
    """The same pair seen from the other case (the score and reasons are symmetric)."""
    return _Scored(scored.related_id, scored.case_id, scored.score, scored.topics, scored.words, scored.products)


def _with_words(scored: _Scored) -> _Scored:
    """The entry with the shared words it shows, found only for the entries a list keeps."""
    return scored if scored.words is not None else replace(scored, words=_words_to_show(scored.products))


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def _row(scored: _Scored, rank: int) -> RelatedCase:
    return RelatedCase(
        case_id=scored.case_id,
        related_id=scored.related_id,
        score=scored.score,
        topics=" ".join(scored.topics),
        words=" ".join(scored.words),
        rank=rank,
    )


def _score(
    case_id: int,
    mine: dict[str, float],
    my_topics: list[Topic],
    other: int,
    theirs: dict[str, float],
    their_topics: set[int],
) -> _Scored | None:
    if other == case_id:
        return None
    shared_topics = tuple(topic.name for topic in my_topics if topic.pk in their_topics)
    products = {word: mine[word] * theirs[word] for word in mine.keys() & theirs.keys()}
    similarity = sum(products.values())
    if not shared_topics and similarity < MIN_SIMILARITY:
        return None
    words = None if similarity >= MIN_SIMILARITY else ()  # the words shown are found when a list keeps the entry
    score = round(TOPIC_POINTS * len(shared_topics) + TEXT_POINTS * similarity, 3)
    return _Scored(case_id, other, score, shared_topics, words, products)


def _words_to_show(products: dict[str, float]) -> tuple[str, ...]:
    """The shared words that add most to the similarity, leaving out parts of longer shared words (账款 of 应收账款)."""
    every = "\n".join(products)  # a word found in it more than once is part of a longer one (tokens have no \n)
    shown: list[str] = []
    for word in sorted(products, key=lambda word: (-products[word], word)):  # the strongest first, until enough
        if every.count(word) == 1:
            shown.append(word)
            if len(shown) == WORDS_SHOWN:
                break
    return tuple(shown)


def related_rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every case's vector, then every list, in short transactions. Returns the number of cases.

    Document frequencies are counted exactly over the published cases first
    (one pass over the segmented text, as the vocabulary's rebuild does).
    ``progress(done, total)`` is called as the lists are written.
    """
    labels = label_words()
    names = [name for name, _ in FIELD_WEIGHTS]
    fields = [f"{name}_tokens" for name in names]
    frequency: Counter[str] = Counter()
    published = SearchDocument.objects.filter(published=True).values("case_id")
    total = 0
    for texts in SearchText.objects.filter(case_id__in=published).values_list(*fields).iterator(chunk_size=500):
        frequency.update(content_counts(_tokens(names, texts), labels).keys())
        total += 1
    ordered = sorted(SearchText.objects.values_list("case_id", flat=True))
    for start in range(0, len(ordered), REBUILD_CHUNK_SIZE):
        chunk = ordered[start : start + REBUILD_CHUNK_SIZE]
        vectors = {}
        for pk, *texts in SearchText.objects.filter(case_id__in=chunk).values_list("case_id", *fields):
            vectors[pk] = unit_vector(content_counts(_tokens(names, texts), labels), frequency, total)
        with transaction.atomic():
            RelatedTerms.objects.bulk_create(
                [RelatedTerms(case_id=pk, terms=_terms_text(vector)) for pk, vector in vectors.items()],
                update_conflicts=True,
                unique_fields=["case"],
                update_fields=["terms"],
            )
    known, finder = _KnownVectors({}), _CandidateFinder()
    for start in range(0, len(ordered), REBUILD_CHUNK_SIZE):
        chunk = ordered[start : start + REBUILD_CHUNK_SIZE]
        terms = RelatedTerms.objects.filter(case_id__in=chunk).values_list("case_id", "terms")
        known.own = {pk: _parse_terms(text) for pk, text in terms}
        cases = list(Case.objects.filter(pk__in=chunk).prefetch_related("topics").order_by("pk"))
        _relate_many(cases, known.own, known, finder, update_others=False)
        if progress:
            progress(min(start + REBUILD_CHUNK_SIZE, len(ordered)), len(ordered))
    RelatedCase.objects.exclude(related__status=Case.Status.PUBLISHED).delete()
    return len(ordered)


def _tokens(names: list[str], texts: Iterable[str]) -> dict[str, list[str]]:
    return {name: text.split() for name, text in zip(names, texts, strict=True)}
