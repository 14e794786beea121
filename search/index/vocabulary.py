"""The vocabulary of the published cases, with pinyin: for queries typed in pinyin, typos and suggestions.

``IndexWord`` holds every Chinese word of the segmented text of published
cases, how many cases contain it, its toneless pinyin and its initials (both
computed offline with pypinyin). It is rebuilt with the whole index and grows
as cases are indexed (``vocabulary_add``).

Pinyin typed as a query is split into syllables first (a table derived from
pypinyin's dictionary), so the words it may spell are looked up by the pinyin
of a few syllable spans in one indexed query, never by scanning.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from search.models import IndexWord, SearchDocument, SearchText

from .documents import FIELDS
from .text import normalise

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
PINYIN_TEXT = re.compile(r"[a-z]+(?: +[a-z]+)*")
NOT_PINYIN_CHARACTER = re.compile(r"[^a-z0-9]")
MAX_TOKEN_LENGTH = 64  # IndexWord.token
MAX_PINYIN_LETTERS = 60  # a longer run of letters is not a word typed in pinyin
MAX_WORD_SYLLABLES = 6  # segmentation looks up words of at most this many syllables
MAX_SYLLABLE_LETTERS = 6  # zhuang, shuang
BATCH_SIZE = 1000
ROW_CHUNK_SIZE = 500


def is_indexable(token: str) -> bool:
    """Whether a token belongs in the vocabulary: at least one Chinese character, and short enough."""
    return len(token) <= MAX_TOKEN_LENGTH and CJK.search(token) is not None


def pinyin_and_initials(word: str) -> tuple[str, str]:
    """Toneless pinyin without spaces, lowercase, and the first letter of each syllable:
    金融超市 → (jinrongchaoshi, jrcs); ü is written v, as typed (绿色 → lvse)."""
    parts = pinyin_syllables(word)
    return "".join(parts), "".join(part[:1] for part in parts)[:MAX_TOKEN_LENGTH]


def pinyin_syllables(word: str) -> list[str]:
    """The toneless pinyin of each character of ``word``, read in the word (跨行业 → kua, hang, ye)."""
    return [NOT_PINYIN_CHARACTER.sub("", part.lower()) for part in lazy_pinyin(word, style=Style.NORMAL)]


def _index_word(token: str, cases: int) -> IndexWord:
    pinyin, initials = pinyin_and_initials(token)
    return IndexWord(token=token, pinyin=pinyin, initials=initials, cases=cases)


def vocabulary_rebuild() -> int:
    """Recount every word of the published cases and rewrite the vocabulary. Returns the number of words."""
    counts: Counter[str] = Counter()
    published = SearchDocument.objects.filter(published=True).values("case_id")
    rows = SearchText.objects.filter(case_id__in=published).values_list(*(f"{field.name}_tokens" for field in FIELDS))
    for row in rows.iterator(chunk_size=ROW_CHUNK_SIZE):
        counts.update(set(" ".join(row).split()))
    words = [(token, cases) for token, cases in counts.items() if is_indexable(token)]
    with transaction.atomic():
        IndexWord.objects.all().delete()
        for start in range(0, len(words), BATCH_SIZE):
            IndexWord.objects.bulk_create(
                [_index_word(token, cases) for token, cases in words[start : start + BATCH_SIZE]]
            )
    return len(words)


def vocabulary_add(tokens: Iterable[str]) -> None:
    """Add the words not yet known (as found in one case); known words keep their counts until the next rebuild."""
    candidates = sorted({token for token in tokens if is_indexable(token)})
    for start in range(0, len(candidates), BATCH_SIZE):
        chunk = candidates[start : start + BATCH_SIZE]
        known = set(IndexWord.objects.filter(token__in=chunk).values_list("token", flat=True))
        IndexWord.objects.bulk_create(
            [_index_word(token, 1) for token in chunk if token not in known], ignore_conflicts=True
        )


# Pinyin typed as a query


@functools.cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (with a vowel: the interjections m, n, ng, hm are left out)."""
    found = set()
    for reading in {reading for readings in set(pinyin_dict.values()) for reading in readings.split(",")}:
        plain = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
        plain = "".join(char for char in plain if not unicodedata.combining(char))
        if plain.isascii() and plain.isalpha() and re.search(r"[aeiouv]", plain):
            found.add(plain)
    return frozenset(found)


def _syllable_edges(letters: str, breaks: set[int]) -> dict[int, list[int]]:
    """Start → ends of the syllables that lie on some complete split of ``letters`` into syllables.

    ``breaks`` are positions where the typist put a space: no syllable crosses
    one. Empty when the letters cannot be split completely.
    """
    table = syllables()
    size = len(letters)
    steps: dict[int, list[int]] = {}
    for start in range(size):
        for end in range(start + 1, min(size, start + MAX_SYLLABLE_LETTERS) + 1):
            if letters[start:end] in table and not any(start < b < end for b in breaks):
                steps.setdefault(start, []).append(end)
    reach_end = {size}
    for start in range(size - 1, -1, -1):
        if any(end in reach_end for end in steps.get(start, [])):
            reach_end.add(start)
    if 0 not in reach_end:
        return {}
    reached, edges = {0}, {}
    for start in range(size):
        if start in reached and start in reach_end:
            ends = [end for end in steps.get(start, []) if end in reach_end]
            edges[start] = ends
            reached.update(ends)
    return edges


def _spans(edges: dict[int, list[int]]) -> set[tuple[int, int, int]]:
    """(start, end, syllables) of every run of 1 to MAX_WORD_SYLLABLES syllables along the splits."""
    spans = set()
    for start in edges:
        frontier = {start}
        for count in range(1, MAX_WORD_SYLLABLES + 1):
            frontier = {end for position in frontier for end in edges.get(position, [])}
            spans.update((start, end, count) for end in frontier)
    return spans


def _letters_and_breaks(text: str) -> tuple[str, set[int]] | None:
    """The letters of a query typed in pinyin, and where the typist put spaces; None if it is not pinyin-like."""
    text = normalise(text).strip()
    if not PINYIN_TEXT.fullmatch(text):
        return None
    letters, breaks = "", set()
    for chunk in text.split():
        if letters:
            breaks.add(len(letters))
        letters += chunk
    if len(letters) > MAX_PINYIN_LETTERS:
        return None
    return letters, breaks


def words_for_pinyin(text: str) -> list[str]:
    """The index words that ``text``, typed in toneless pinyin, spells, in order; [] if it is not pinyin
    (see :func:`pinyin_spellings`)."""
    return [word for _, word in pinyin_spellings(text)]


def pinyin_spellings(text: str) -> list[tuple[str, str]]:
    """The index words that ``text``, typed in toneless pinyin, spells, in order, each with its letters.

    jinrongchaoshi or "jin rong chao shi" → [金融超市] when one word is spelt
    whole (the most frequent of its homophones), else the fewest and most
    frequent words that spell it in order, e.g. [金融, 超市]. Every word has
    two syllables or more: one syllable alone ("ai", "an") is too ambiguous to
    stand for a Chinese word, and English words like "or" or "api" spell none.
    One query.
    """
    parsed = _letters_and_breaks(text)
    if parsed is None:
        return []
    letters, breaks = parsed
    edges = _syllable_edges(letters, breaks)
    spans = {(start, end) for start, end, count in _spans(edges) if count >= 2}
    if not spans:
        return []
    best: dict[str, tuple[int, str]] = {}  # pinyin → (cases, word), the most frequent word spelt so
    spelt = {letters} | {letters[start:end] for start, end in spans}  # the whole may be longer than any span
    found = IndexWord.objects.filter(pinyin__in=sorted(spelt))
    for token, pinyin, cases in found.values_list("token", "pinyin", "cases"):
        known = best.get(pinyin)
        if len(token) >= 2 and (known is None or cases > known[0] or (cases == known[0] and token < known[1])):
            best[pinyin] = (cases, token)
    if letters in best:
        return [(letters, best[letters][1])]
    # Fewest words first, then the most frequent: (words, -sum of log counts, the words so far).
    paths: dict[int, tuple[int, float, list[tuple[str, str]]]] = {0: (0, 0.0, [])}
    for start, end in sorted(spans):
        word = best.get(letters[start:end])
        if word is None or start not in paths:
            continue
        count, cost, words = paths[start]
        candidate = (count + 1, cost - math.log1p(word[0]), [*words, (letters[start:end], word[1])])
        if end not in paths or candidate[:2] < paths[end][:2]:
            paths[end] = candidate
    return paths[len(letters)][2] if len(letters) in paths else []


COMPLETION_CANDIDATES = 50  # index words read to find the few whose first characters ``text`` spells


def pinyin_completions(text: str, limit: int) -> list[str]:
    """The most frequent index words whose first characters ``text`` spells, when it is two syllables or more of
    pinyin spelling no word whole: xiongan → 雄安新区 (the index holds no 雄安 of its own). Not for one syllable,
    however it splits (jia, guan), nor for letters that end inside a syllable (guan of 广东). One query."""
    parsed = _letters_and_breaks(text)
    if parsed is None or limit <= 0:
        return []
    letters, breaks = parsed
    if letters in syllables() or not any(
        start == 0 and end == len(letters) and count >= 2
        for start, end, count in _spans(_syllable_edges(letters, breaks))
    ):
        return []
    words = IndexWord.objects.annotate(length=Length("token")).filter(length__gte=2, pinyin__startswith=letters)
    candidates = words.exclude(pinyin=letters).order_by("-cases", "token").values_list("token", flat=True)
    spelt = [
        token
        for token in candidates[:COMPLETION_CANDIDATES]
        if letters in itertools.accumulate(pinyin_syllables(token))  # the letters end where a syllable does
    ]
    return spelt[:limit]


# Suggestions


def suggest_words(prefix: str, limit: int) -> list[str]:
    """Frequent words (two characters or more) that start with a Chinese prefix, or whose pinyin or initials
    start with a latin one: 金融 → 金融服务 …; jinr or jr → 金融 …"""
    text = normalise(prefix).strip()
    if not text or limit <= 0 or len(text) > MAX_TOKEN_LENGTH:
        return []
    words = IndexWord.objects.annotate(length=Length("token")).filter(length__gte=2).order_by("-cases", "token")
    if CJK.search(text):
        return list(words.filter(token__startswith=text).exclude(token=text).values_list("token", flat=True)[:limit])
    letters = text.replace(" ", "")
    if not letters.isascii() or not letters.isalpha():
        return []
    found = list(words.filter(pinyin__startswith=letters).values_list("token", flat=True)[:limit])
    if len(found) < limit:
        by_initials = words.filter(initials__startswith=letters).exclude(pinyin__startswith=letters)
        found += by_initials.values_list("token", flat=True)[: limit - len(found)]
    return found


def closest_words(text: str, limit: int = 5) -> list[str]:
    """Index words close to a query that found little ("您是不是要找"), closest and most frequent first.

    A Chinese query is compared with the words that sound the same (a homophone
    typed by mistake), share its initials or its first two characters; a
    latin one with the words whose pinyin starts as it does. Close means the
    same pinyin, or one character (or up to a quarter of the letters) apart.
    """
    query = normalise(text).strip()
    if not query or limit <= 0 or len(query) > MAX_TOKEN_LENGTH:
        return []
    words = IndexWord.objects.order_by("-cases", "token")
    if CJK.search(query):
        query = query.replace(" ", "")
        pinyin, initials = pinyin_and_initials(query)
        wanted = Q(pinyin=pinyin) | Q(initials=initials)
        if len(query) >= 3:
            wanted |= Q(token__startswith=query[:2])
        candidates = words.filter(wanted).exclude(token=query).values_list("token", "pinyin", "cases")[:500]
        scored = [
            (distance, -cases, token)
            for token, token_pinyin, cases in candidates
            if (len(token) >= 2 or len(query) == 1)
            and (distance := _chinese_distance(query, pinyin, token, token_pinyin)) is not None
        ]
    else:
        letters = query.replace(" ", "")
        if not letters.isascii() or not letters.isalpha() or len(letters) < 2:
            return []
        candidates = words.filter(pinyin__startswith=letters[:2]).values_list("token", "pinyin", "cases")[:500]
        allowed = max(1, len(letters) // 4)
        scored = [
            (distance, -cases, token)
            for token, token_pinyin, cases in candidates
            if (distance := edit_distance(letters, token_pinyin)) <= allowed
        ]
    return [token for _, _, token in sorted(scored)][:limit]


def _chinese_distance(query: str, pinyin: str, token: str, token_pinyin: str) -> tuple[int, int] | None:
    """(0, 0) for a homophone; (1, letters of pinyin apart) for a word one character or one letter of pinyin
    away (so 通光 is closer to 通关 than to 通过); None when not close."""
    if token_pinyin == pinyin:
        return (0, 0)
    letters = edit_distance(pinyin, token_pinyin)
    if letters <= 1 or edit_distance(query, token) <= (1 if len(query) <= 4 else 2):
        return (1, letters)
    return None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
