"""Champion lists: for each token, the cases in which it weighs most.

A common word (服务, 发展) is found in nearly every case, and ranking all of its
matches means computing a score for each: at a hundred thousand cases that
alone takes longer than a search may. When a query matches more than
``EXACT_RANK_LIMIT`` cases, it is ranked instead among the champions of its
words: the union of each word's strongest cases, scored by the backend as
usual; the other matches follow them, also by score (see
``search.service``). This is the "champion list" shortcut of inexact top-k
retrieval (Manning, Raghavan and Schütze, *Introduction to Information
Retrieval*, §7.1.3): what it can get wrong is a case in which no query word
weighs enough to be among its strongest, ranked after the champions although
its score is higher. Smaller result sets are ranked exactly.

A token's weight in a case is the backend's (``IndexBackend.token_weights``), so a word
in the title outweighs the same word in a paragraph. On PostgreSQL it is the very score
``ts_rank`` gives the case for that word alone, so a one-word query, however common
the word, is ranked from its list without reading a single vector
(``IndexBackend.ranked_from_lists``), and its first thousand results are the exact
ranking. SQLite's bm25 weighs a word by how many cases have it, which changes with
every case written: there the weight is the BM25 term-frequency part (:func:`bm25_weights`).
Each list holds at most ``LIST_SIZE`` cases when it is built;
the weight of the weakest is recorded as the token's floor, and a case written
later joins the list when it weighs more. Every case weighing more than the
floor is therefore always listed; ``reindex`` trims the lists again.

Drafts are listed too, and skipped where the lists are read (the ranking reads
published cases only). A case's place in the lists depends on its text alone,
so publishing or withdrawing cases, a thousand at a time, writes none of the
lists: about four hundred entries a case, which would take longer to write
than a request may. What it can cost: a draft takes a place a published case
could have had, among the candidates a common word is ranked by.
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping

from django.db import connection
from django.db.models.expressions import RawSQL

from search.models import Champion, ChampionFloor

from .rows import insert_rows, placeholders

# Each ranked case costs PostgreSQL about 30 µs (its tsvector is read from TOAST), so a
# search ranks at most about a thousand.
EXACT_RANK_LIMIT = 1000
LIST_SIZE = 1000
CANDIDATES = 1000  # champions ranked per query, shared among its tokens (at least MIN_PER_TOKEN each)
MIN_PER_TOKEN = 50
MAX_TOKEN_LENGTH = Champion._meta.get_field("token").max_length

# BM25 constants; the average length is a fixed typical case length, which is
# enough for ordering the cases of one token.
K1 = 1.2
B = 0.75
AVERAGE_LENGTH = 1000


def bm25_weights(
    fields: Mapping[str, list[str]], boosts: Mapping[str, float], only: Collection[str] | None = None
) -> dict[str, float]:
    """Each token's BM25 term-frequency weight in one case, from its tokens by field and each field's boost.

    ``only`` limits the answer to these tokens (those a case holds), with the same weights.
    """
    length = sum(len(fields.get(name, [])) for name in boosts)
    frequency: Counter[str] = Counter()
    if only is None:
        for name, boost in boosts.items():
            for token, count in Counter(fields.get(name, [])).items():
                frequency[token] += count * boost
    else:
        wanted = set(only)
        for name, boost in boosts.items():
            for token in fields.get(name, []):
                if token in wanted:
                    frequency[token] += boost
    norm = K1 * (1 - B + B * length / AVERAGE_LENGTH)
    return {token: f * (K1 + 1) / (f + norm) for token, f in frequency.items() if len(token) <= MAX_TOKEN_LENGTH}


def champions_write(rows: list[tuple[int, dict[str, float]]], *, only: Collection[str] | None = None) -> None:
    """Replace these cases' entries: each joins the lists whose floor it outweighs.

    With ``only``, the entries of these tokens alone are replaced (the cases' labels changed, and with them
    these tokens' weights; the other tokens' weights move only with the length of the case, a little, until
    the next ``reindex``): two statements for any number of cases, instead of rewriting every entry.
    """
    entries = Champion.objects.filter(case_id__in=[case_id for case_id, _ in rows])
    if only is not None:
        only = {token for token in only if len(token) <= MAX_TOKEN_LENGTH}
        entries = entries.filter(token__in=sorted(only))
    entries.delete()
    tokens = {token for _, weights in rows for token in weights}
    floors = dict(ChampionFloor.objects.filter(token__in=tokens).values_list("token", "weight")) if tokens else {}
    insert_rows(
        Champion,
        ["token", "case", "weight"],
        (
            (token, case_id, weight)
            for case_id, weights in rows
            for token, weight in weights.items()
            if weight > floors.get(token, 0.0) and (only is None or token in only)
        ),
    )


def champions_delete(case_ids: list[int]) -> None:
    Champion.objects.filter(case_id__in=case_ids).delete()


class ChampionCollector:
    """Keeps each token's ``LIST_SIZE`` strongest cases while the whole index is rebuilt."""

    def __init__(self) -> None:
        self.heaps: dict[str, list[tuple[float, int]]] = {}

    def add(self, case_id: int, weights: dict[str, float]) -> None:
        for token, weight in weights.items():
            heap = self.heaps.setdefault(token, [])
            if len(heap) < LIST_SIZE:
                heapq.heappush(heap, (weight, case_id))
            elif weight > heap[0][0]:
                heapq.heapreplace(heap, (weight, case_id))

    def save(self, live: Callable[[], set[int]] | None = None) -> None:
        """Replace every list and floor; call it inside a transaction.

        ``live`` gives the ids of the cases that still exist, read once the lists
        are locked, so that the entries of a case deleted meanwhile are left out.
        """
        _lock_lists()
        if live is not None:
            kept = live()
            for token, heap in self.heaps.items():
                if any(case_id not in kept for _, case_id in heap):
                    self.heaps[token] = [(weight, case_id) for weight, case_id in heap if case_id in kept]
                    heapq.heapify(self.heaps[token])
            self.heaps = {token: heap for token, heap in self.heaps.items() if heap}
        Champion.objects.all().delete()
        ChampionFloor.objects.all().delete()
        insert_rows(
            Champion,
            ["token", "case", "weight"],
            ((token, case_id, weight) for token, heap in self.heaps.items() for weight, case_id in heap),
        )
        ChampionFloor.objects.bulk_create(
            (
                ChampionFloor(token=token, weight=heap[0][0])
                for token, heap in self.heaps.items()
                if len(heap) >= LIST_SIZE
            ),
            batch_size=5000,
        )


def _lock_lists() -> None:
    """Make the writers of single cases' entries wait, rather than deadlock, while every list is replaced.

    A save deletes its case's entries (their rows, in whatever order) while
    the rebuild deletes all of them: on PostgreSQL the table is locked against
    writers first (searches still read it). SQLite has one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(Champion._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE"
            )


def indexed_tokens(tokens: Iterable[str]) -> set[str]:
    """Which of these tokens some case contains (a draft too): those with a champion list (one query)."""
    return tokens_known(tokens, ())[0]


def tokens_known(indexed: Iterable[str], common: Iterable[str]) -> tuple[set[str], set[str]]:
    """(Which of ``indexed`` some case contains, which of ``common`` are in at least ``LIST_SIZE`` cases, their
    champion lists full): what a search asks of its words before anything else, in one query."""
    asked = [_listable(indexed), _listable(common)]
    found: tuple[set[str], set[str]] = (set(), set())
    if not any(asked):
        return found
    with connection.cursor() as cursor:
        cursor.execute(_tokens_known_sql(*map(len, asked)), [token for tokens in asked for token in tokens])
        for token, part in cursor:
            found[part].add(token)
    return found


def _listable(tokens: Iterable[str]) -> list[str]:
    return sorted({token for token in tokens if len(token) <= MAX_TOKEN_LENGTH})


@functools.lru_cache(maxsize=64)
def _tokens_known_sql(indexed: int, common: int) -> str:
    """Written once for each number of tokens: a search asks before anything else, and the ORM would compile
    the statement each time. Rows: (token, 0) for the indexed tokens, (token, 1) for the common ones."""
    quote = connection.ops.quote_name
    parts = []
    for part, (model, count) in enumerate(((Champion, indexed), (ChampionFloor, common))):
        if count:
            meta = model._meta
            token = quote(meta.get_field("token").column)
            parts.append(
                f"SELECT DISTINCT {token}, {part} FROM {quote(meta.db_table)} WHERE {token} IN ({placeholders(count)})"
            )
    return " UNION ALL ".join(parts)


def candidate_ids(tokens: Iterable[str]) -> RawSQL:
    """A subquery of the ids of the tokens' strongest champions, about ``CANDIDATES`` in all.

    Ties are broken by case id, so every page of a search picks the same ones.
    """
    tokens = sorted({token for token in tokens if len(token) <= MAX_TOKEN_LENGTH})
    if not tokens:
        table = connection.ops.quote_name(Champion._meta.db_table)
        return RawSQL(f"SELECT case_id FROM {table} WHERE 1 = 0", [])
    per_token = max(MIN_PER_TOKEN, CANDIDATES // len(tokens))
    parts = [strongest(token, per_token) for token in tokens]
    return RawSQL(
        " UNION ".join(f"SELECT case_id FROM ({sql}) s{index}" for index, (sql, _) in enumerate(parts)),
        [value for _, params in parts for value in params],
    )


def strongest(token: str, limit: int = CANDIDATES) -> tuple[str, list]:
    """SQL of (case_id, weight) of the token's ``limit`` strongest champions, and its parameters."""
    table = connection.ops.quote_name(Champion._meta.db_table)
    sql = f"SELECT case_id, weight FROM {table} WHERE token = %s ORDER BY weight DESC, case_id LIMIT %s"
    return sql, [token, limit]
