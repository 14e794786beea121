"""SQLite: an FTS5 table over the segmented text, ranked with bm25 and column weights.

The FTS5 query string is assembled from tokens only (runs of letters, digits
and CJK characters, see ``search.index.text``), each written as a quoted FTS5 string,
and passed as a bound parameter to MATCH.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterator, Mapping

from django.db import connection
from django.db.models.expressions import RawSQL

from ..champions import bm25_weights
from ..documents import BOOSTS, FIELDS
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
    documents_matching,
    quote,
    ranked_page_sql,
    update_documents,
)

FTS_TABLE = "search_fts"
BM25 = f"bm25({FTS_TABLE}, {', '.join(str(field.boost) for field in FIELDS)})"


def fts5_available() -> bool:
    try:
        probe = sqlite3.connect(":memory:")
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(a)")
        probe.close()
    except sqlite3.OperationalError:
        return False
    return True


def fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def term_match(term: Term) -> str:
    if len(term.tokens) == 1:
        return fts_string(term.tokens[0])
    if term.phrase:
        return fts_string(" ".join(term.tokens))
    return "(" + " AND ".join(fts_string(token) for token in term.tokens) + ")"


def clause_match(clause: list[Term]) -> str:
    return "(" + " OR ".join(term_match(term) for term in clause) + ")"


def positive_match_text(query: Query) -> str:
    """Every clause, or with ``query.any_word`` the required ones or else any one."""
    clauses = query.clauses
    if not query.any_word:
        return " AND ".join(clause_match(clause) for clause in clauses)
    required = [clause_match(clause) for clause in clauses if query.is_required(clause)]
    if required:
        return " AND ".join(required)
    return " OR ".join(clause_match(clause) for clause in clauses)


def match_text(query: Query) -> str:
    positive = positive_match_text(query)
    if not query.excluded:
        return positive
    return f"{positive} NOT (" + " OR ".join(term_match(t) for t in query.excluded) + ")"


def _partial_match_text(query: Query) -> str:
    """The cases with some of the words but not all."""
    return f"({match_text(query.widened())}) NOT ({positive_match_text(query)})"


def adjacency_match_text(query: Query) -> str | None:
    runs = [*query.adjacent, *(t.tokens for t in query.terms if len(t.tokens) > 1 and not t.phrase)]
    phrases = [fts_string(" ".join(tokens)) for tokens in dict.fromkeys(runs)]
    return " OR ".join(phrases) if phrases else None


def literal_match_text(query: Query) -> str | None:
    """The words as typed, any of them: a case that has them outranks one with only synonyms or pieces."""
    if not any(term.source for term in query.terms):
        return None
    return " OR ".join(term_match(term) for term in query.literal_terms) or None


class SqliteBackend:
    vendor = "sqlite"
    lists_hold_scores = False  # see ``token_weights``

    def match_ids(self, query: Query) -> RawSQL:
        if not query.clauses:  # exclusions only: FTS5 has no unary NOT
            return RawSQL(
                f"SELECT case_id FROM {quote(DOCUMENTS)} WHERE case_id NOT IN "
                f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
                [" OR ".join(term_match(t) for t in query.excluded)],
            )
        return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match_text(query)])

    def token_weights(self, fields: Mapping[str, list[str]], only: Collection[str] | None = None) -> dict[str, float]:
        """bm25 weighs a word by how many cases have it, which changes with every case written: the lists keep
        its term-frequency part, the word's strongest cases by bm25 among those with it."""
        return bm25_weights(fields, BOOSTS, only)

    def ranked_from_lists(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]] | None:
        return None

    def ranked_ids(
        self, query: Query, within: SQL | None, *, limit: int, offset: int, within_matches: bool = False
    ) -> list[tuple[int, float]]:
        # bm25 needs the MATCH whatever ``within_matches`` says.
        return self._ranked([match_text(query)], query, within, limit=limit, offset=offset)

    def ranked_by_coverage(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        coverage = [clause_match(clause) for clause in query.optional]
        return self._ranked([_partial_match_text(query)], query, within, limit=limit, offset=offset, coverage=coverage)

    def ranked_with_partial(
        self, query: Query, within: SQL | None, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        # bm25 scores a case for the MATCH that found it: the matches are found by the query, the others by the
        # partial-match text, as the two statements would. Every match covers all the clauses, so the coverage
        # orders the partial matches alone.
        coverage = [clause_match(clause) for clause in query.optional]
        matches = [match_text(query), _partial_match_text(query)]
        return self._ranked(matches, query, within, limit=limit, offset=offset, coverage=coverage)

    def _ranked(
        self,
        matches: list[str],
        query: Query,
        within: SQL | None,
        *,
        limit: int,
        offset: int,
        coverage: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        """``matches``: one MATCH text, or two whose cases are listed apart, all those of the first before any
        of the second."""
        # The matches are ranked once in a materialised CTE: joined directly, SQLite
        # would run the MATCH again for every row. ``+rowid`` keeps FTS5 from
        # looking each id of ``within`` up with a MATCH of its own; the ids only
        # filter the matches, so bm25 is computed for those ids alone.
        ranked_matches = f"SELECT rowid AS id, -{BM25} AS {{}} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        restriction: list = []
        if within:
            ranked_matches += f" AND +rowid IN ({within[0]})"
            restriction = within[1]
        params: list = [item for match in matches for item in (match, *restriction)]
        first_by: list[str] = []
        if len(matches) == 1:
            hits = ranked_matches.format("score")
        else:
            hits = " UNION ALL ".join(ranked_matches.format(f"score, {part} AS every") for part in (1, 0))
            first_by.append("hits.every")
        ctes = [f"hits AS MATERIALIZED ({hits})"]
        score, joins = "hits.score", []
        if coverage:
            covered = f"(hits.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))"
            first_by.append("(" + " + ".join(covered for _ in coverage) + ")")
        adjacency, literal = adjacency_match_text(query), literal_match_text(query)
        if adjacency:
            ctes.append(f"adj AS MATERIALIZED ({ranked_matches.format('bonus')})")
            params += [adjacency, *restriction]
            score += " + COALESCE(adj.bonus, 0)"
            joins.append("LEFT JOIN adj ON adj.id = hits.id")
        if literal:
            # A synonym, a pinyin spelling or the pieces of a word weigh less than the word as typed: the cases
            # with the words as typed come first, by their score for those words.
            ctes.append(f"lit AS MATERIALIZED ({ranked_matches.format('bonus')})")
            params += [literal, *restriction]
            first_by.append(
                "COALESCE(lit.bonus + COALESCE(adj.bonus, 0), -1)" if adjacency else "COALESCE(lit.bonus, -1)"
            )
            joins.append("LEFT JOIN lit ON lit.id = hits.id")
        sql = f"WITH {', '.join(ctes)} " + ranked_page_sql(f"hits {' '.join(joins)}", score, first_by=tuple(first_by))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, PUBLISHED, *(coverage or []), limit, offset])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def facet_groups(self, query: Query | None, within: SQL | None = None) -> list[Group]:
        return count_groups(ALL_DOCUMENTS if query is None else self.matching_documents(query), within)

    def facet_groups_widened(self, query: Query, within: SQL | None = None) -> tuple[list[Group], list[Group]]:
        return count_groups_within(self.matching_documents(query.widened()), self.match_ids(query), within)

    @contextlib.contextmanager
    def searching(self) -> Iterator[None]:
        yield

    def matching_documents(self, query: Query) -> SQL:
        if not query.clauses:
            return documents_matching(self.match_ids(query))
        # Joined on the rowid: one cheap lookup per match, where ``IN (…)`` would first build a set of them all.
        return (
            f"FROM {FTS_TABLE} f JOIN {quote(DOCUMENTS)} d ON d.case_id = f.rowid WHERE {FTS_TABLE} MATCH %s",
            [match_text(query)],
        )

    def write_many(self, rows: IndexRows) -> None:
        columns = [field.name for field in FIELDS]
        self.delete([case_id for case_id, _ in rows])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(columns)}) VALUES (%s{', %s' * len(columns)})",
                [[case_id, *(" ".join(tokens.get(name, [])) for name in columns)] for case_id, tokens in rows],
            )

    def update_many(
        self, documents: Mapping[int, Document], rows: IndexRows, fields: Collection[str] | None = None
    ) -> None:
        update_documents(documents)  # FTS5 rewrites a row whole, whatever changed in it
        self.write_many(rows)

    def delete(self, case_ids: list[int]) -> None:
        if not case_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(case_ids))})", case_ids)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")

    def after_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
