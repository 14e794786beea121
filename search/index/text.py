"""Text processing shared by documents and queries.

Both sides go through :func:`normalise` (control characters, NFKC, case,
traditional → simplified) and jieba with the project dictionary, so a query
word and the same word in a case always become the same tokens.

Documents are indexed with jieba's search segmentation: the precise words in
order, followed by the shorter dictionary words inside long words (the extra
tokens ``cut_for_search`` adds). Keeping the precise words together and in
order is what lets a quoted phrase match adjacent positions.

jieba never joins words across a newline, so a document is segmented line by
line with the same result. Within :func:`memoised_segmentation` (one indexing
run) each distinct line is segmented once: a paragraph found in many cases, a
region and topic line shared by many, costs its segmentation once per run.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import jieba
import opencc
from django.conf import settings

logger = logging.getLogger(__name__)

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")
# A token is a run of letters, digits and CJK characters; punctuation is dropped.
TOKEN = re.compile(r"[^\W_]+")
# Control characters, and the characters no XML document may hold (a feed echoes the query): lone
# surrogates and the noncharacters U+FFFE and U+FFFF.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_lock = threading.Lock()


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer, built once, with its cache in VAR_DIR."""
    with _lock:
        return _tokenizer()


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    return build_tokenizer(Path(settings.VAR_DIR) / "jieba")


def build_tokenizer(cache_dir: Path) -> jieba.Tokenizer:
    """A jieba tokenizer with the project dictionary, caching its prefix dictionary in ``cache_dir``.

    An unwritable cache directory is reported and the dictionary is built from
    source instead (about a second at every process start).
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        writable = _is_writable(cache_dir)
    except OSError:
        writable = False
    jieba.setLogLevel(logging.WARNING)
    instance = jieba.Tokenizer()
    if writable:
        instance.tmp_dir = str(cache_dir)
    else:
        logger.warning(
            "jieba 词典缓存目录 %s 不可写：每个进程启动时都要重新构建词典（约 1 秒）。请设置可写的 VAR_DIR。",
            cache_dir,
        )
        instance.cache_file = None
        instance.tmp_dir = None
    instance.initialize()
    instance.load_userdict(str(USER_DICTIONARY))
    return instance


def _is_writable(directory: Path) -> bool:
    probe = directory / ".write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def normalise(text: str) -> str:
    """Control characters dropped, NFKC (full-width → half-width), lowercase, simplified Chinese."""
    text = CONTROL_CHARACTERS.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).lower()
    return _converter().convert(text)


def _split(words: list[str]) -> list[str]:
    return [token for word in words for token in TOKEN.findall(word)]


def query_tokens(text: str) -> list[str]:
    """The tokens of one query word or phrase, in order (jieba's precise mode)."""
    return _split(list(tokenizer().cut(normalise(text), HMM=False)))


def document_tokens(text: str) -> list[str]:
    """The tokens of a document field: precise words in order, then the sub-words of long words."""
    memo = _memo.get()
    words, subwords = segment_document(text) if memo is None else memo.segment(text)
    return words + subwords


def names_tokens(names: Iterable[str]) -> list[str]:
    """The tokens of a field made of names (regions, topics) separated by spaces, as :func:`document_tokens`
    gives them: each name is segmented once per process (segmentation never joins across a space), so that
    relabelling thousands of cases segments a few names, not thousands of fields."""
    words: list[str] = []
    subwords: list[str] = []
    for name in names:
        name_words, name_subwords = _segmented_name(name)
        words += name_words
        subwords += name_subwords
    return words + subwords


@functools.lru_cache(maxsize=4096)
def _segmented_name(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words, subwords = segment_document(name)
    return tuple(words), tuple(subwords)


# Lines kept by one run's memo. A line's tokens are interned strings in a tuple, about 1 KB for a
# paragraph, so the memo stays near 20 MB however many cases the run indexes.
MEMO_LINES = 20_000


class _LineMemo:
    """Segmentation line by line, each distinct line once, the oldest forgotten beyond ``max_lines``."""

    def __init__(self, max_lines: int) -> None:
        self.max_lines = max_lines
        self.lines: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def segment(self, text: str) -> tuple[list[str], list[str]]:
        if self.max_lines <= 0:
            return segment_document(text)
        words: list[str] = []
        subwords: list[str] = []
        for line in text.split("\n"):
            known = self.lines.get(line)
            if known is None:
                line_words, line_subwords = segment_document(line)
                known = (tuple(map(sys.intern, line_words)), tuple(map(sys.intern, line_subwords)))
                if len(self.lines) >= self.max_lines:
                    del self.lines[next(iter(self.lines))]
                self.lines[line] = known
            words += known[0]
            subwords += known[1]
        return words, subwords


_memo: ContextVar[_LineMemo | None] = ContextVar("segmentation_memo", default=None)


@contextmanager
def memoised_segmentation(max_lines: int | None = None) -> Iterator[None]:
    """Within, :func:`document_tokens` segments each distinct line once (an outer memo is kept).

    ``max_lines`` bounds the memo (``MEMO_LINES`` by default); 0 segments every text whole, as outside.
    """
    if _memo.get() is not None:
        yield
        return
    token = _memo.set(_LineMemo(MEMO_LINES if max_lines is None else max_lines))
    try:
        yield
    finally:
        _memo.reset(token)


def segment_document(text: str) -> tuple[list[str], list[str]]:
    """(precise words, sub-words of long words) of a text — what jieba's ``cut_for_search`` yields."""
    jieba_tokenizer = tokenizer()
    words = list(jieba_tokenizer.cut(normalise(text), HMM=False))
    subwords = []
    for word in words:
        for size in (2, 3):
            if len(word) > size:
                subwords += [
                    word[i : i + size]
                    for i in range(len(word) - size + 1)
                    if jieba_tokenizer.FREQ.get(word[i : i + size])
                ]
    return _split(words), _split(subwords)


CJK_WORD = re.compile(r"[\u4e00-\u9fff]{4,}")


@functools.lru_cache(maxsize=4096)
def word_pieces(word: str) -> list[str]:
    """The fewest dictionary words of two or three characters that spell ``word``, in order; [] if none do.

    Documents index such words inside long words (see :func:`segment_document`),
    so a compound typed whole can be found through its pieces.
    """
    if not CJK_WORD.fullmatch(word):
        return []
    frequencies = tokenizer().FREQ
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(2, len(word) + 1):
        for size in (2, 3):
            start = end - size
            previous = best[start] if start >= 0 else None
            piece = word[start:end]
            if (
                previous is not None
                and frequencies.get(piece)
                and (best[end] is None or len(previous) + 1 < len(best[end]))
            ):
                best[end] = [*previous, piece]
    return best[-1] or []


@functools.lru_cache(maxsize=65536)
def normalise_char(char: str) -> str:
    """:func:`normalise` of one character, cached: highlighting maps text character by character."""
    return normalise(char)
