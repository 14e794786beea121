"""Highlighted passages from the original text of a case.

Matching is done on a normalised copy (same normalisation as the index, so a
traditional-character query marks simplified text) mapped back character by
character to the original. Output is escaped first; only the ``<mark>`` tags
added here are markup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

from .index.text import TOKEN, normalise_char

SNIPPET_CHARS = 160


@dataclass
class Passage:
    section: str
    html: SafeString


class _NormalisedCharacters(dict):
    """A ``str.translate`` table filled on demand: code point → its normalised text (never empty)."""

    def __missing__(self, code_point: int) -> str:
        self[code_point] = normalise_char(chr(code_point)) or " "
        return self[code_point]


_NORMALISED = _NormalisedCharacters()


class _InertCharacters:
    """The characters normalised as ``str.lower`` would, as far as finding words goes; a pattern finds any other.

    A character is inert when it normalises to what ``str.lower`` makes of it
    (one character: itself, or "g" for "G"), or when it is no word character and
    normalises to one character that is none either (full-width punctuation: "，"
    becomes ","). A word made of word characters only occurs in a text of inert
    characters where it occurs in the text's lower-cased copy: one regular
    expression and ``str.lower`` instead of translating the text character by
    character (ten times slower). (A quoted phrase may hold punctuation: its text
    is translated.) The characters are learnt as texts bring them; the pattern is
    rebuilt when some are new.
    """

    def __init__(self) -> None:
        self._inert: set[str] = set()
        self._other: set[str] = set()
        self._unknown = re.compile(r"[\s\S]")  # before anything is learnt, any character may matter
        self._lock = threading.Lock()

    def only(self, text: str) -> bool:
        """Whether every character of ``text`` is inert."""
        found = self._unknown.search(text)
        if found is None:
            return True
        if found.group() in self._other:  # known to matter: nothing to learn from this text now
            return False
        with self._lock:
            new = set(text) - self._inert - self._other
            for char in new:
                (self._inert if _is_inert(char) else self._other).add(char)
            if new & self._inert:
                inert = "".join(re.escape(char) for char in sorted(self._inert))
                self._unknown = re.compile(f"[^{inert}]")
            return self._unknown.search(text) is None


def _is_inert(char: str) -> bool:
    normalised, lowered = _NORMALISED[ord(char)], char.lower()
    if len(lowered) != 1:
        return False
    return normalised == lowered or (
        len(normalised) == 1 and not TOKEN.fullmatch(lowered) and not TOKEN.fullmatch(normalised)
    )


_INERT = _InertCharacters()


def _spans(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, word) where any of ``words`` occurs in ``text``, longest words first."""
    plain = all(TOKEN.fullmatch(word) for word in words)
    haystack = text.lower() if plain and _INERT.only(text) else text.translate(_NORMALISED)
    origin = None  # every character normalised to exactly one: positions are the same
    if len(haystack) != len(text):
        origin = [index for index, char in enumerate(text) for _ in _NORMALISED[ord(char)]]
    # One word's occurrences never overlap, where each character is one in the haystack too.
    taken = bytearray(len(text)) if len(words) > 1 or origin is not None else None
    spans = []
    for word in words:
        start = haystack.find(word) if word else -1
        while start != -1:
            first, end = (
                (start, start + len(word)) if origin is None else (origin[start], origin[start + len(word) - 1] + 1)
            )
            if taken is None:
                spans.append((first, end, word))
            elif taken.find(1, first, end) == -1:
                spans.append((first, end, word))
                taken[first:end] = b"\x01" * (end - first)
            start = haystack.find(word, start + len(word))
    return sorted(spans)


def mark(
    text: str, words: list[str], *, window: int | None = None, spans: list[tuple[int, int, str]] | None = None
) -> SafeString:
    """``text`` escaped, with the words marked; cut to ``window`` characters around the first match."""
    spans = _spans(text, words) if spans is None else spans
    start, end = 0, len(text)
    if window and len(text) > window:
        start = max(0, min(spans[0][0] - window // 4 if spans else 0, len(text) - window))
        end = start + window
    parts = ["…" if start else ""]
    cursor = start
    for span_start, span_end, _word in spans:
        if span_start < cursor or span_end > end:
            continue
        parts += [escape(text[cursor:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>"]
        cursor = span_end
    parts += [escape(text[cursor:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))


def best_passages(passages: Iterable[tuple[str, str]], words: list[str], limit: int = 2) -> list[Passage]:
    """The one or two passages that match the most distinct words, then the most matches.

    ``passages`` are (section label, original text) in document order: the
    summary, then each item's heading and body. They are searched as one text,
    a line apart (no word holds a line break): a case has a dozen of them, and
    a results page twenty cases.
    """
    passages = list(passages)
    spans = iter(_spans("\n".join(text for _, text in passages), words))
    span = next(spans, None)
    scored = []
    start = 0
    for order, (section, text) in enumerate(passages):
        end = start + len(text)
        found = []
        while span is not None and span[0] < end:
            found.append((span[0] - start, span[1] - start, span[2]))
            span = next(spans, None)
        if found:
            scored.append((-len({word for _, _, word in found}), -len(found), order, section, text, found))
        start = end + 1
    scored.sort(key=lambda row: row[:3])
    return [
        Passage(section, mark(text, words, window=SNIPPET_CHARS, spans=found))
        for *_, section, text, found in scored[:limit]
    ]
