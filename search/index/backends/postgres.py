"""PostgreSQL: a weighted tsvector per case, GIN indexed, ranked with ts_rank.

Django 5.2 has no ``Lexeme`` expression, so tsvector and tsquery values are
written here as PostgreSQL's literal syntax from quoted lexemes and passed as
bound parameters cast with ``::tsvector`` / ``::tsquery``. Lexemes are never
parsed again by a text search configuration, so the tokens stored are exactly
the tokens jieba produced, and no user text can become tsquery syntax.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import struct
from collections.abc import Collection, Iterator, Mapping

from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..champions import MAX_TOKEN_LENGTH, strongest
from ..documents import FIELDS
from ..query import Query, Term
from . import (
    ALL_DOCUMENTS,
    DOCUMENTS,
    PUBLISHED,
    SQL,
    Document,
    Group,
    IndexRows,
    count_groups,
    count_groups_within,
    document_columns,
    quote,
    ranked_page_sql,
    update_documents,
)

MAX_POSITION = 16383  # PostgreSQL's limit for a lexeme position
MAX_POSITIONS = 256  # and for the number of positions kept of one lexeme (the first ones)
MAX_LEXEME_BYTES = 2046  # and for the length of a lexeme
GIN_INDEX = "search_document_vector_gin"  # created by migration 0002
# ts_rank weights in the order {D, C, B, A}.
RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
# The order of the fields' positions in a vector. The labels are the one field rewritten alone (a topic renamed,
# see ``PostgresBackend.update_many``), and a part rewritten goes after the others: written last in a whole
# vector too, a token's positions are in the same order either way, and so is its score (see ``token_scores``).
POSITION_ORDER = (*(f for f in FIELDS if f.name != "label"), *(f for f in FIELDS if f.name == "label"))


def quote_lexeme(token: str) -> str:
    """A lexeme in tsquery/tsvector literal syntax: quoted, with ' and \\ escaped."""
    if not token:
        raise ValueError("empty lexeme")
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def pair_lexeme(first: str, second: str) -> str:
    """Two adjacent tokens as one lexeme (tokens never contain a space, see ``search.index.text``)."""
    return f"{first} {second}"


def tsvector_literal(fields: Mapping[str, list[str]], *, only: Collection[str] | None = None, start: int = 0) -> str:
    """Weighted tsvector text; fields follow each other with a gap so no phrase spans two.

    Besides each token, each pair of adjacent tokens is a lexeme of its own. A
    two-token phrase then matches through the GIN index alone: with ``<->``,
    PostgreSQL must fetch and check the tsvector of every case holding both
    tokens, which for common words is most of the table.

    ``only`` writes those fields alone, positions counted from ``start``: the part
    that replaces them in a stored vector (see ``PostgresBackend.update_many``).
    """
    positions: dict[str, list[str]] = {}
    position = start
    for field in POSITION_ORDER:
        if only is not None and field.name not in only:
            continue
        letter = field.weight_letter
        previous = None
        for token in fields.get(field.name, ()):
            position = min(position + 1, MAX_POSITION)
            mark = f"{position}{letter}"
            # Written for speed (a few thousand tokens a case): setdefault and pair_lexeme, inlined.
            marks = positions.get(token)
            if marks is None:
                positions[token] = [mark]
            else:
                marks.append(mark)
            if previous is not None:
                pair = f"{previous} {token}"
                marks = positions.get(pair)
                if marks is None:
                    positions[pair] = [mark]
                else:
                    marks.append(mark)
            previous = token
        position += 1
    # A run of letters too long to be a lexeme is not searchable (nor is it a word anyone types).
    return " ".join(
        f"{quote_lexeme(lexeme)}:{','.join(marks)}"
        for lexeme, marks in positions.items()
        if len(lexeme) * 4 <= MAX_LEXEME_BYTES or len(lexeme.encode()) <= MAX_LEXEME_BYTES
    )


_FLOAT4 = struct.Struct("f")


def _float4(value: float) -> float:
    """``value`` rounded to single precision, as PostgreSQL's ``float4`` arithmetic rounds each step."""
    return _FLOAT4.unpack(_FLOAT4.pack(value))[0]


_LETTER_WEIGHTS = dict(zip("DCBA", (_float4(float(w)) for w in RANK_WEIGHTS.strip("{}").split(",")), strict=True))


def token_scores(fields: Mapping[str, list[str]], only: Collection[str] | None = None) -> dict[str, float]:
    """Each token's ``ts_rank`` in the case's vector as a one-word query, computed as PostgreSQL computes it.

    ``ts_rank`` scores a lexeme from the weights of its positions in position order
    (``calc_rank_or`` in PostgreSQL's ``tsrank.c``): the sum of the j-th weight over
    j², plus the largest weight counted whole at its place, over π²/6, in single
    precision. The champion lists store this score, so a one-word query is ranked
    from them without reading a vector (see ``ranked_from_lists``); a test checks
    it equals ``ts_rank`` for every token of the real cases. ``only`` limits the
    answer to these tokens. A case longer than ``MAX_POSITION`` tokens is scored
    as if its last positions were distinct.
    """
    letters: dict[str, str] = {}  # each token's weight letters, in position order
    for field in POSITION_ORDER:
        letter = field.weight_letter
        for token in fields.get(field.name, ()):
            if only is not None and token not in only:
                continue
            marks = letters.get(token, "")
            if len(marks) < MAX_POSITIONS:
                letters[token] = marks + letter
    return {token: _rank_of_letters(marks) for token, marks in letters.items()}


@functools.lru_cache(maxsize=65536)
def _rank_of_letters(letters: str) -> float:
    """The score of a lexeme whose positions weigh these letters, in order (most lexemes share a few patterns)."""
    total, best, best_at = 0.0, -1.0, 0
    for j, letter in enumerate(letters):
        weight = _LETTER_WEIGHTS[letter]
        total = _float4(total + _float4(weight / ((j + 1) * (j + 1))))
        if weight > best:
            best, best_at = weight, j
    spread = _float4(_float4(best + total) - _float4(best / ((best_at + 1) * (best_at + 1))))
    return _float4(spread / 1.64493406685)


def _set_seqscan(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', %s, false)", [value])


def term_tsquery(term: Term) -> str:
    """A phrase is its adjacent pairs, and for more than two tokens also the ``<->`` chain that orders them."""
    lexemes = [quote_lexeme(token) for token in term.tokens]
    if len(lexemes) == 1:
        return lexemes[0]
    if not term.phrase:
        return "(" + " & ".join(lexemes) + ")"
    pairs = [quote_lexeme(pair_lexeme(a, b)) for a, b in itertools.pairwise(term.tokens)]
    if len(pairs) == 1:
        return pairs[0]
    return "(" + " & ".join(pairs) + " & (" + " <-> ".join(lexemes) + "))"


def clause_tsquery(clause: list[Term]) -> str:
    return "(" + " | ".join(term_tsquery(term) for term in clause) + ")"


def tsquery_text(query: Query, *, with_exclusions: bool = True) -> str:
    """The tsquery of the whole query: every clause (with ``any_word``, the required ones or else any one),
    any term within a clause, none excluded.

    Ranking uses the positive part only: ts_rank scores a negated lexeme as zero.
    """
    clauses = query.clauses
    if query.any_word:
        parts = [clause_tsquery(clause) for clause in clauses if query.is_required(clause)]
        if not parts:
            parts = ["(" + " | ".join(clause_tsquery(clause) for clause in clauses) + ")"]
    else:
        parts = [clause_tsquery(clause) for clause in clauses]
    if with_exclusions:
        parts += ["!" + term_tsquery(term) for term in query.excluded]
    return " & ".join(parts)


def adjacency_tsquery_text(query: Query) -> str | None:
    """Tokens typed together (a compound, its pieces) as phrases: adjacency ranks above scattered tokens."""
    runs = [*query.adjacent, *(t.tokens for t in query.terms if len(t.tokens) > 1 and not t.phrase)]
    phrases = [term_tsquery(Term("", tokens, phrase=True)) for tokens in dict.fromkeys(runs)]
    return " | ".join(phrases) if phrases else None


def literal_tsquery_text(query: Query) -> str | None:
    """Any of the words as typed: whether a case has them at all (a synonym or pinyin spelling may stand in).

    None when nothing stands in for a word: every match then has the words as typed, and ranking by them
    again would read each case's tsvector twice more for the same order.
    """
    if not any(term.source for term in query.terms):
        return None
    return " | ".join(term_tsquery(term) for term in query.literal_terms) or None


def literal_rank_tsquery_text(query: Query) -> str | None:
    """The query with the words as typed only, in its own shape (all clauses, or any): how well a case has them."""
    clauses = [[term for term in clause if not term.source] for clause in query.clauses]
    literal = dataclasses.replace(query, clauses=[clause for clause in clauses if clause])
    return tsquery_text(literal, with_exclusions=False) or None


class PostgresBackend:
    vendor = "postgresql"
    table = DOCUMENTS
    lists_hold_scores = True  # see ``token_scores``

    def match_ids(self, query: Query) -> RawSQL:
        return RawSQL(
            f"SELECT case_id FROM {quote(self.table)} WHERE vector @@ %s::tsquery",
            [tsquery_text(query)],
        )

    @contextlib.contextmanager
    def searching(self) -> Iterator[None]:
        """Match through the GIN index, always.

        For a word in most cases the planner prefers reading the table, not
        knowing that each row's tsvector must then be fetched from TOAST and
        decompressed: 25 times slower at a hundred thousand cases. The setting
        is the session's, set and restored around the search's queries (two
        statements, no transaction of its own); should the search fail inside
        a transaction, its rollback restores the setting.
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', false)")
            previous = cursor.fetchone()[0]
        try:
            yield
        except BaseException:
            with contextlib.suppress(DatabaseError):  # a failed transaction: its rollback restores the setting
                _set_seqscan(previous)
            raise
        _set_seqscan(previous)

    def facet_groups(self, query: Query | None, within: SQL | None = None) -> list[Group]:
        return count_groups(ALL_DOCUMENTS if query is None else self.matching_documents(query), within)

    def facet_groups_widened(self, query: Query, within: SQL | None = None) -> tuple[list[Group], list[Group]]:
        return count_groups_within(self.matching_documents(query.widened()), self.match_ids(query), within)

    def matching_documents(self, query: Query) -> SQL:
        return f"FROM {quote(self.table)} d WHERE d.vector @@ %s::tsquery", [tsquery_text(query)]

    def ranked_ids(
        self, query: Query, within: SQL | None, *, limit: int, offset: int, within_matches: bool = False
    ) -> list[tuple[int, float]]:
        # Checking the match reads each case's tsvector once more, besides ranking it.
        if within and within_matches:
            where, params = "TRUE", []
        else:
            where, params = "d.vector @@ %s::tsquery", [tsquery_text(query)]
        return self._ranked(query, where, params, within, limit=limit, offset=offset)

    def token_weights(self, fields: Mapping[str, list[str]], only: Collection[str] | None = None) -> dict[str, float]:
        """The score ``ts_rank`` gives the case for each token alone (see ``token_scores``)."""
        return token_scores(fields, only)

    def ranked_from_lists(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]] | None:
        """A one-word query's champions by their stored weight, which is the ``ts_rank`` ``ranked_ids`` would
        compute from each vector (see ``token_scores``): the same cases in the same order, no vector read.

        The cases are the candidates ``candidate_ids`` picks for the word; an excluded word is looked up in
        the GIN index. None for any other query: its score depends on several tokens of one case.
        """
        token = query.one_token
        if token is None or len(token) > MAX_TOKEN_LENGTH:
            return None
        sql, params = strongest(token)
        where = "TRUE"
        if query.excluded:
            where += f" AND s.case_id NOT IN (SELECT case_id FROM {quote(self.table)} WHERE vector @@ %s::tsquery)"
            params.append(" | ".join(term_tsquery(excluded) for excluded in query.excluded))
        if within:
            where += f" AND s.case_id IN ({within[0]})"
            params += within[1]
        # As real, the type of ts_rank's result: the same score, whichever way it was found.
        hits = f"(SELECT s.case_id AS id, s.weight::real AS base FROM ({sql}) s WHERE {where}) hits"
        with connection.cursor() as cursor:
            cursor.execute(ranked_page_sql(hits, "hits.base"), [*params, PUBLISHED, limit, offset])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def ranked_by_coverage(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        where = "d.vector @@ %s::tsquery AND NOT d.vector @@ %s::tsquery"
        params = [tsquery_text(query.widened()), tsquery_text(query, with_exclusions=False)]
        coverage = [clause_tsquery(clause) for clause in query.optional]
        return self._ranked(query, where, params, within, limit=limit, offset=offset, coverage=coverage)

    def ranked_with_partial(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        # The widened matches, those with every word first and ranked for the query itself. Every one of them
        # covers all the clauses, so the coverage orders the partial matches alone.
        coverage = [clause_tsquery(clause) for clause in query.optional]
        where, params = "d.vector @@ %s::tsquery", [tsquery_text(query.widened())]
        return self._ranked(
            query, where, params, within, limit=limit, offset=offset, coverage=coverage, all_words_first=True
        )

    def _ranked(
        self,
        query: Query,
        where: str,
        where_params: list,
        within: SQL | None,
        *,
        limit: int,
        offset: int,
        coverage: list[str] | None = None,
        all_words_first: bool = False,
    ) -> list[tuple[int, float]]:
        # Each ts_rank reads the case's tsvector again: each is computed once, as a column.
        first_by = []
        if all_words_first:
            every_word = tsquery_text(query, with_exclusions=False)
            columns = (
                "d.vector @@ %s::tsquery AS every,"
                " CASE WHEN d.vector @@ %s::tsquery THEN ts_rank(%s, d.vector, %s::tsquery)"
                " ELSE ts_rank(%s, d.vector, %s::tsquery) END AS base"
            )
            some_words = tsquery_text(query.widened(), with_exclusions=False)
            params: list = [every_word, every_word, RANK_WEIGHTS, every_word, RANK_WEIGHTS, some_words]
            first_by.append("hits.every")
        else:
            columns = "ts_rank(%s, d.vector, %s::tsquery) AS base"
            params = [RANK_WEIGHTS, tsquery_text(query.widened() if coverage else query, with_exclusions=False)]
        score = "hits.base"
        adjacency, literal = adjacency_tsquery_text(query), literal_tsquery_text(query)
        if adjacency:
            columns += ", ts_rank(%s, d.vector, %s::tsquery) AS adjacent"
            params += [RANK_WEIGHTS, adjacency]
            score += " + hits.adjacent"
        if coverage:
            columns += ", " + " + ".join("(d.vector @@ %s::tsquery)::int" for _ in coverage) + " AS covered"
            params += coverage
            first_by.append("hits.covered")
        if literal:
            # A synonym, a pinyin spelling or the pieces of a word weigh less than the word as typed: the cases
            # with the words as typed come first, by their rank for those words.
            columns += (
                ", CASE WHEN d.vector @@ %s::tsquery THEN ts_rank(%s, d.vector, %s::tsquery) ELSE -1 END AS literal"
            )
            params += [literal, RANK_WEIGHTS, literal_rank_tsquery_text(query)]
            first_by.append("hits.literal + hits.adjacent" if adjacency else "hits.literal")
        params += where_params
        if within:
            where += f" AND d.case_id IN ({within[0]})"
            params += within[1]
        hits = f"(SELECT d.case_id AS id, {columns} FROM {quote(self.table)} d WHERE {where}) hits"
        sql = ranked_page_sql(hits, score, first_by=tuple(first_by))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, PUBLISHED, limit, offset])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def write_many(self, rows: IndexRows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(self.table)} SET vector = %s::tsvector WHERE case_id = %s",
                [(tsvector_literal(tokens), case_id) for case_id, tokens in rows],
            )

    def update_many(
        self, documents: Mapping[int, Document], rows: IndexRows, fields: Collection[str] | None = None
    ) -> None:
        """The vector lives in the SearchDocument row: a case with new entries is written in one UPDATE with them.

        Every UPDATE that writes the vector inserts all of its words into the GIN index again, so a row is
        never written twice; one that writes only ``published`` finds room on its page (migration 0011).
        When only some fields changed (a topic renamed: the labels), their part of the stored vector is
        replaced in the database (each field has a weight of its own): the text of the others is neither
        built here nor parsed there again. The new part goes after the others, a position apart, so no
        phrase spans two fields; ``ts_rank`` does not look at positions.
        """
        vectors = {case_id for case_id, _ in rows}
        update_documents({pk: document for pk, document in documents.items() if pk not in vectors})
        if not rows:
            return
        published, facet_set, updated = document_columns()
        now = timezone.now()
        kept = [field.weight_letter.lower() for field in FIELDS if fields is not None and field.name not in fields]
        if kept:
            vector = "COALESCE(ts_filter(vector, %s::\"char\"[]), ''::tsvector) || %s::tsvector"
            weights = "{" + ",".join(kept) + "}"
            params = [
                (weights, tsvector_literal(tokens, only=fields, start=1), *documents[case_id], now, case_id)
                for case_id, tokens in rows
            ]
        else:
            vector = "%s::tsvector"
            params = [(tsvector_literal(tokens), *documents[case_id], now, case_id) for case_id, tokens in rows]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(self.table)} SET vector = {vector}, {published} = %s, {facet_set} = %s, "
                f"{updated} = %s WHERE case_id = %s",
                params,
            )

    def delete(self, case_ids: list[int]) -> None:
        """The vector lives in the SearchDocument row, which is deleted with it."""

    def clear(self) -> None:
        """The vectors are rewritten in place; a rebuild is no request, so lift the statement timeout for it."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")

    def after_rebuild(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
            # GIN queues new entries in a pending list that every search must read
            # through until autovacuum merges them; merge them now instead.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])
            cursor.execute("ANALYZE")  # the cases and their links change as much as the index
