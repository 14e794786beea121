"""The query language of the search box.

* words separated by spaces must all match: ``融资 武汉``
* ``OR`` between two words accepts either: ``邮轮 OR 会展``
* ``-word`` excludes cases containing it: ``融资 -保险``
* ``"…"`` is an exact phrase: ``"铁路提单"``

A word that jieba splits into several tokens (``通关便利化`` → 通关 / 便利化)
matches when all its tokens are present; adjacency only ranks higher. A quoted
phrase requires the tokens to be adjacent.

Anything else is taken literally: the parser never fails, it drops what cannot
be searched (punctuation, control characters) and caps the size of a query,
reporting what it did in ``notices``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import normalise, query_tokens

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word or phrase: its text as typed (normalised) and its tokens."""

    text: str
    tokens: tuple[str, ...]
    phrase: bool = False


@dataclass
class Query:
    # All clauses must match; a clause matches when any of its terms does.
    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    any_word: bool = False

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def is_search(self) -> bool:
        """Whether there is anything to search for; an empty query (or only punctuation) lists every case."""
        return bool(self.clauses or self.excluded)

    @property
    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause]

    @property
    def tokens(self) -> list[str]:
        """The tokens of every term that must or may match (not of the excluded ones)."""
        return [token for term in self.terms for token in term.tokens]

    def as_any_word(self) -> Query:
        """The fallback: every term on its own is enough."""
        return Query(clauses=[self.terms], excluded=self.excluded, notices=self.notices, any_word=True)

    @property
    def can_fall_back(self) -> bool:
        return len(self.clauses) > 1 or any(len(term.tokens) > 1 and not term.phrase for term in self.terms)

    def highlight_words(self) -> list[str]:
        """Strings to mark in the original text: each term, and the longer tokens of each term."""
        words = {term.text for term in self.terms}
        words |= {token for term in self.terms for token in term.tokens if len(token) > 1}
        return sorted(words, key=len, reverse=True)


def parse_query(text: str) -> Query:
    query = Query()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.notices.append(f"查询过长，只使用了前 {MAX_QUERY_CHARS} 个字符。")
    pending_or = False
    term_count = 0
    for match in QUERY_PART.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            pending_or = bool(query.clauses)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        raw = quoted if quoted is not None else bare
        term = _term(raw, phrase=quoted is not None)
        if term is None:
            pending_or = False
            continue
        term_count += 1
        if term_count > MAX_TERMS:
            query.notices.append(f"查询词过多，只使用了前 {MAX_TERMS} 个。")
            break
        if negated:
            query.excluded.append(term)
        elif pending_or:
            query.clauses[-1].append(term)
        else:
            query.clauses.append([term])
        pending_or = False
    return query


def _term(raw: str, *, phrase: bool) -> Term | None:
    tokens = tuple(query_tokens(raw))
    if not tokens:
        return None
    text = normalise(raw).strip()
    # A phrase of one token is just a word.
    return Term(text=re.sub(r"\s+", " ", text), tokens=tokens, phrase=phrase and len(tokens) > 1)
