"""The query language of the search box, as people type it on a Chinese keyboard.

* words separated by spaces (half- or full-width) all count: ``融资 武汉``;
  a word typed without spaces counts word by word: ``跨境电商融资`` is 跨境电商 and 融资
* ``OR``, ``or``, ``|`` or ``｜`` between two words accepts either: ``邮轮 OR 会展``
* ``-word`` (also ``－`` or ``—``) excludes cases containing it: ``融资 －保险``
* ``"…"`` (also “…” ‘…’ 「…」 『…』) is an exact phrase, and required: ``“文化贸易”``

Each word is a *clause* of the query: a case covers it when it contains the
word (or one of its alternatives, such as the pieces of a compound the index
keeps apart, see :func:`with_alternatives`). Cases covering every clause are
the all-word matches; :meth:`Query.widened` is the query that any clause
satisfies, for the cases that contain only some of the words. A quoted phrase
is required in both, and an excluded word is excluded from both.

Anything else is taken literally: the parser never fails, it drops what cannot
be searched (punctuation, control characters) and caps the size of a query,
reporting what it did in ``notices``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from .text import normalise, query_tokens, word_pieces

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

# Chinese-keyboard forms of the operators, as the ASCII ones.
QUOTES = str.maketrans(dict.fromkeys("“”‘’「」『』＂", '"'))
MINUS_SIGNS = "-－—–"
OR_WORDS = {"or", "|", "｜", "或", "或者"}
AND_WORDS = {"and", "&", "＆"}  # every word counts already: nothing to do
NOTHING_SEARCHABLE = "检索词中没有可以检索的字或词（标点、运算符和表情符号不算），下面列出的是全部案例。"
QUERY_PART = re.compile(r'([-－—–]?)"([^"]*)"?|([^\s"]+)')
OR_BARS = re.compile(r"[|｜]")
# Function words typed between the words a reader wants (上海的邮轮, 会展与贸易促进, 哪些城市开展了邮轮试点):
# in nearly every case, they would make every case a partial match. Left out of the clauses, not of phrases.
FUNCTION_WORDS = frozenset("的地得了着过和与及并而且跟同在是对把被将从向于之也都就等吗呢吧啊呀么") | {
    *("以及", "并且", "等等", "关于", "有关", "哪些", "哪个", "什么", "如何", "怎么", "怎样", "怎么样", "哪里"),
}
OR_CONNECTIVES = frozenset({"或", "或者"})  # inside a word typed without spaces: 邮轮或会展 is 邮轮 OR 会展


@dataclass(frozen=True)
class Term:
    """One word or phrase: its text (normalised) and its tokens, which must all be present.

    ``source`` says where a term the reader did not type comes from: ``"pieces"``
    for the pieces of a compound, ``"synonym"`` or ``"pinyin"``.
    """

    text: str
    tokens: tuple[str, ...]
    phrase: bool = False
    source: str = ""


@dataclass
class Query:
    # Every clause must match for an all-word match; a clause matches when any of its terms does.
    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # Tokens typed together in one word: ranked higher where a case has them side by side.
    adjacent: list[tuple[str, ...]] = field(default_factory=list)
    # Widened: the required clauses (quoted phrases) if any, else any one of the other clauses.
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

    @property
    def one_token(self) -> str | None:
        """The token of a query of one word that is one token (excluded words aside), else None.

        Its score in a case depends on that token alone (see ``IndexBackend.ranked_from_lists``).
        """
        if len(self.clauses) == 1 and len(self.clauses[0]) == 1 and not self.adjacent:
            tokens = self.clauses[0][0].tokens
            return tokens[0] if len(tokens) == 1 else None
        return None

    @property
    def literal_terms(self) -> list[Term]:
        return [term for term in self.terms if not term.source]

    @staticmethod
    def is_required(clause: list[Term]) -> bool:
        """A quoted phrase must be present even among the cases that contain only some of the words."""
        return all(term.phrase for term in clause)

    @property
    def required(self) -> list[list[Term]]:
        return [clause for clause in self.clauses if self.is_required(clause)]

    @property
    def optional(self) -> list[list[Term]]:
        """The clauses a case may cover or not: their number is a case's coverage of the query."""
        return [clause for clause in self.clauses if not self.is_required(clause)]

    @property
    def can_widen(self) -> bool:
        """Whether some cases may contain some of the words but not all."""
        optional = len(self.optional)
        return not self.any_word and (optional > 1 or (optional == 1 and bool(self.required)))

    def widened(self) -> Query:
        """The query of the cases with some of the words: the quoted phrases if any, else any one word.

        A case's coverage (how many of the other words it has) ranks it among them.
        """
        return dataclasses.replace(self, any_word=True)

    def expanded_words(self, source: str) -> list[str]:
        """The words the planner added of one kind (synonyms, pinyin), excluded ones too, for the page to say so."""
        return list(dict.fromkeys(term.text for term in [*self.terms, *self.excluded] if term.source == source))

    def highlight_words(self) -> list[str]:
        """Strings to mark in the original text: a phrase whole; each other term and its longer tokens."""
        words = {term.text.replace(" ", "") if term.phrase else term.text for term in self.terms}
        words |= {token for term in self.terms if not term.phrase for token in term.tokens if len(token) > 1}
        if any(len(word) > 1 for word in words):  # a lone character of a longer query would mark half the page
            words = {word for word in words if len(word) > 1}
        return sorted(words, key=len, reverse=True)


def parse_query(text: str) -> Query:
    query = Query()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.notices.append(f"查询过长，只使用了前 {MAX_QUERY_CHARS} 个字符。")
    text = OR_BARS.sub(" | ", text.translate(QUOTES))
    pending_or = False
    term_count = 0
    skipped: list[str] = []  # function words left out
    split: tuple[int, Term] | None = None  # the last word typed without spaces, split into clauses from there
    for match in QUERY_PART.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and normalise(bare) in OR_WORDS:
            pending_or = bool(query.clauses)
            continue
        if bare is not None and normalise(bare) in AND_WORDS:
            continue
        if bare is not None and bare[0] in MINUS_SIGNS and len(bare) > 1:
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
        or_after = False
        if not term.phrase and not negated:
            # 或 typed against a word: 邮轮或 会展 and 邮轮 或会展 are 邮轮 或 会展.
            tokens = term.tokens
            if tokens[0] in OR_CONNECTIVES:
                pending_or, tokens = bool(query.clauses), tokens[1:]
            if tokens and tokens[-1] in OR_CONNECTIVES:
                or_after, tokens = True, tokens[:-1]
            if not tokens:
                pending_or = pending_or or (or_after and bool(query.clauses))
                continue
            if tokens != term.tokens:
                term = Term("".join(tokens), tokens)
        if negated:
            query.excluded.append(term)
        elif pending_or:
            alternative = _without_function_words(term, skipped)
            if alternative is None:  # 邮轮 OR 的: nothing to add; a word after it still joins
                continue
            if split is not None and _split_into_words(query.clauses[split[0] :]):
                # 跨境电商融资 OR 邮轮: the whole word or the next, as for 邮轮 OR 跨境电商融资, not 跨境电商 and
                # either 融资 or 邮轮. (A word that made one clause, or held a 或 of its own, gains the next.)
                start, word = split
                query.clauses[start:] = [[_without_function_words(word, []) or word]]
            query.clauses[-1].append(alternative)
        elif term.phrase or len(term.tokens) == 1:
            if not term.phrase and term.tokens[0] in FUNCTION_WORDS:
                skipped.append(term.tokens[0])
            else:
                query.clauses.append([term])
        else:
            # A word typed without spaces counts token by token, and its tokens side by side rank higher.
            start = len(query.clauses)
            query.clauses += _clauses_of(term.tokens, skipped)
            query.adjacent.append(term.tokens)
            split, pending_or = (start, term), or_after
            continue
        split, pending_or = None, or_after
    if skipped and not query.clauses:  # nothing but function words: search them after all
        query.clauses = [[Term(token, (token,))] for token in dict.fromkeys(skipped)]
    elif skipped:
        query.notices.append(f"略去了虚词“{'”“'.join(dict.fromkeys(skipped))}”。")
    if text.strip() and not query.clauses and not query.excluded:
        query.notices.append(NOTHING_SEARCHABLE)
    return query


def _without_function_words(word: Term, skipped: list[str]) -> Term | None:
    """The word without its function words (noted in ``skipped``); None if it is nothing else. A phrase is kept."""
    if word.phrase:
        return word
    kept = tuple(token for token in word.tokens if token not in FUNCTION_WORDS and token not in OR_CONNECTIVES)
    skipped += [token for token in word.tokens if token in FUNCTION_WORDS]
    return dataclasses.replace(word, tokens=kept) if kept else None


def _split_into_words(clauses: list[list[Term]]) -> bool:
    """Whether a word typed without spaces made several clauses of one token each (no 或 of its own)."""
    return len(clauses) > 1 and all(len(clause) == 1 for clause in clauses)


def _clauses_of(tokens: tuple[str, ...], skipped: list[str]) -> list[list[Term]]:
    """The clauses of a word typed without spaces, a token each, without its function words; 或 between two
    tokens makes them one clause that either satisfies."""
    clauses: list[list[Term]] = []
    joining = False
    for token in tokens:
        if token in OR_CONNECTIVES:
            joining = bool(clauses)
            continue
        if token in FUNCTION_WORDS:
            skipped.append(token)
            continue
        if joining:
            clauses[-1].append(Term(token, (token,)))
        else:
            clauses.append([Term(token, (token,))])
        joining = False
    return clauses


def _term(raw: str, *, phrase: bool) -> Term | None:
    tokens = tuple(query_tokens(raw))
    if not tokens:
        return None
    text = normalise(raw).strip()
    # A phrase of one token is just a word.
    return Term(text=re.sub(r"\s+", " ", text), tokens=tokens, phrase=phrase and len(tokens) > 1)


Alternatives = Callable[[str], Iterable[tuple[str, ...]]]


def with_alternatives(query: Query, alternatives: Alternatives, source: str, *, excluded: bool = False) -> Query:
    """The query with each one-token word also satisfied by the alternatives given for it.

    An alternative is a tuple of tokens that must all be present, such as the
    pieces of a compound (``source="pieces"``) or a synonym. The literal word
    stays first and weighs more (see the backends' ranking). With ``excluded``,
    an excluded word's alternatives are excluded too (a word spelt in pinyin is
    the word it spells, a synonym is another word). An alternative that is an excluded word is left out:
    融资 -贷款 does not search for 贷款 as a synonym of 融资.
    """
    unwanted = frozenset(term.tokens for term in query.excluded)
    clauses = [_extended(clause, alternatives, source, unwanted) for clause in query.clauses]
    left_out = _extended(query.excluded, alternatives, source) if excluded else query.excluded
    return dataclasses.replace(query, clauses=clauses, excluded=left_out)


def _extended(
    terms: list[Term], alternatives: Alternatives, source: str, unwanted: frozenset[tuple[str, ...]] = frozenset()
) -> list[Term]:
    extended = list(terms)
    for term in terms:
        if term.phrase or term.source or len(term.tokens) != 1:
            continue
        known = {t.tokens for t in extended} | unwanted
        for tokens in alternatives(term.tokens[0]):
            if tokens and tokens not in known:
                extended.append(Term(text="".join(tokens), tokens=tokens, source=source))
                known.add(tokens)
    return extended


def compound_candidates(query: Query) -> set[str]:
    """The tokens whose presence in the index :func:`compound_pieces` needs to know: compounds and their pieces."""
    words = {term.tokens[0] for term in query.terms if not term.phrase and not term.source and len(term.tokens) == 1}
    return {token for word in words if word_pieces(word) for token in (word, *word_pieces(word))}


def compound_pieces(known: Collection[str]) -> Alternatives:
    """Alternatives for a compound the index does not hold as one word: the pieces it does hold.

    ``known`` holds the tokens of :func:`compound_candidates` that the index
    has. 外国专家 is then also found as 外国 and 专家, the pieces that
    ``cut_for_search`` indexes.
    """

    def pieces(token: str) -> Iterable[tuple[str, ...]]:
        split = word_pieces(token)
        if not split or token in known or not all(piece in known for piece in split):
            return []
        return [tuple(split)]

    return pieces
