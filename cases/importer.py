"""Parse a source document of practice cases into structured records.

The documents are text extracted from published PDFs. Their shape::

     1．title
    （海南省提供）
    lead paragraphs (the summary)
    一、主要做法
    （一）heading sentence。body…
    （二）a whole sentence that states the point, with figures, 2020年…。
    二、实践效果
    三、下一步工作思路

PDF extraction leaves artefacts that are repaired here and nowhere else:

* a paragraph is broken over many lines; the line that ends a paragraph ends
  with trailing whitespace, every other line continues the paragraph;
* blank lines carry no meaning; a line starting with a space opens a new page;
* a page-number line (`` 60 ``) sits wherever the page broke;
* spaces around digits and Latin words (``2020 年 3 月``) are layout, not text;
* ``臵`` is printed for ``置`` and ``〃`` for the middle dot ``·``.

A numbered item's first sentence is its heading (要点) only when it reads as
one: at most :data:`MAX_HEADING_SENTENCE` characters (the longest true heading
among the 20 cases of 2020 has 26) and followed by more text of the item.
Otherwise the sentence is the statement itself (“开展物流金融创新试点，交易结算
金额达120亿元。”, or a 120-character sentence before its details) and the whole
item is body text without a heading; it still keeps its place in the numbering
(``numbered``), so the page prints （三） before it.

No other character is added or dropped: :func:`normalise_text` is the whole
normalisation, and the tests check every case against it.

Parsing is pure (no database); :mod:`cases.services` writes the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbering import chinese_numeral

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# The lengths of the columns they are stored in (cases.models uses these).
MAX_TITLE_CHARS = 200
MAX_PROVIDER_CHARS = 200
MAX_HEADING_CHARS = 500
MAX_HEADING_SENTENCE = 30  # a longer first sentence is the item's statement, not its heading
MAX_ITEMS_PER_SECTION = 200
# A case's search index entry is one PostgreSQL tsvector, whose distinct
# lexemes may take 1 MB at most ("string is too long for tsvector"). Each
# character yields at most about 17 bytes of them (a word, its two- and
# three-character pieces, the pair of it with the next word): a case made of
# different long dictionary words, the worst, reaches 0.7 MB at this length.
# The longest case of the 2020 collection has under 2,000 characters.
MAX_CASE_CHARS = 40_000

CHARACTER_REPAIRS = str.maketrans({"臵": "置", "〃": "·"})
# Characters below 32 other than tab, line and page breaks (\x1c-\x1e separate lines too, for str.splitlines).
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1b\x1f]")

SECTION_NAMES = {"主要做法": 1, "实践效果": 2, "下一步工作思路": 3}
SECTION_ORDINALS = {1: "一", 2: "二", 3: "三"}

CASE_HEADER = re.compile(r"(\d{1,4})[．.](?!\d)\s*(\S.*)")
PROVIDER_LINE = re.compile(r"[（(]\s*(\S.*提供)\s*[）)]")
SECTION_HEADER = re.compile(r"([一二三])、\s*(主要做法|实践效果|下一步工作思路)")
ITEM_HEADER = re.compile(r"[（(]([一二三四五六七八九十百千零]{1,7})[）)]\s*(.*)")
PAGE_NUMBER = re.compile(r"\s+\d{1,3}\s*")
SENTENCE_END = re.compile(r"[。！？][”’」』]?")
PROVIDER_SUFFIX = re.compile(r"(等[^、，]*)?提供$")
PROVIDER_SEPARATORS = re.compile(r"[、，,]|和")
# Whitespace is kept only between two ASCII word characters ("La Liste").
LAYOUT_SPACE = re.compile(r"(?<![A-Za-z0-9.,%+\-])\s+|\s+(?![A-Za-z0-9.,%+\-])")


class DocumentError(ValueError):
    """A document that cannot be imported; ``line`` is 1-based, or None for the whole file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"第 {line} 行：{message}" if line else message)


@dataclass
class ParsedItem:
    section: int
    position: int
    heading: str
    body: str
    line: int
    numbered: bool = False  # printed with its numeral (（一）) in the source


@dataclass
class ParsedCase:
    number: int
    title: str
    provider: str
    summary: str
    line: int
    provider_line: int
    items: list[ParsedItem] = field(default_factory=list)

    @property
    def provider_names(self) -> list[str]:
        return provider_names(self.provider)

    def items_in(self, section: int) -> list[ParsedItem]:
        return [item for item in self.items if item.section == section]


def provider_names(provider: str) -> list[str]:
    """Regions named by a provider line: 杭州市、武汉市、成都市等试点地区提供 → three names."""
    names = PROVIDER_SUFFIX.sub("", provider)
    return [name.strip() for name in PROVIDER_SEPARATORS.split(names) if name.strip()]


def normalise_text(text: str) -> str:
    """Repair PDF artefacts in running text: layout spaces and the two misprinted characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return LAYOUT_SPACE.sub("", text).translate(CHARACTER_REPAIRS)


def normalise_title(text: str) -> str:
    """Titles keep the space that separates two phrases (拓宽境外融资渠道 助力企业复工复产)."""
    return re.sub(r"\s+", " ", text).strip().translate(CHARACTER_REPAIRS)


def decode_document(data: bytes) -> str:
    """Bytes of an uploaded or read file to text, refusing what is not a UTF-8 text document."""
    if not data.strip():
        raise DocumentError("文件为空。")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"文件过大（超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB）。")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DocumentError("文件含有二进制内容，不是文本文件。", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError("不是 UTF-8 编码的文本（可能是 GBK 等其他编码，请另存为 UTF-8）。", line) from None
    if CONTROL_CHARACTER.search(text):  # one scan of the whole text; the line is looked for only when needed
        for number, line_text in enumerate(text.splitlines(), start=1):
            if CONTROL_CHARACTER.search(line_text):
                raise DocumentError("含有控制字符，不是正常的文本文件。", number)
    return text


@dataclass
class _Paragraph:
    line: int
    fragments: list[str] = field(default_factory=list)
    numeral: str | None = None  # set for a numbered item's first paragraph

    def text(self) -> str:
        return normalise_text(_join_lines(self.fragments))


def _join_lines(fragments: list[str]) -> str:
    """Join the lines of one paragraph; only two Latin words keep a space between them."""
    joined = ""
    for fragment in fragments:
        if (
            joined
            and joined[-1].isascii()
            and joined[-1].isalpha()
            and fragment[:1].isascii()
            and fragment[:1].isalpha()
        ):
            joined += " "
        joined += fragment
    return joined


class _CaseBuilder:
    """Collects the paragraphs of one case and turns them into a ParsedCase."""

    def __init__(self, number: int, title: str, line: int) -> None:
        self.case = ParsedCase(number=number, title=title, provider="", summary="", line=line, provider_line=0)
        self.summary: list[str] = []
        self.section: int | None = None
        self.sections_seen: list[int] = []
        self.items: list[tuple[int, list[_Paragraph]]] = []  # (section, paragraphs)

    def add_paragraph(self, paragraph: _Paragraph) -> None:
        if not self.case.provider:
            raise DocumentError("案例标题后应是提供单位一行，如“（海南省提供）”。", paragraph.line)
        if self.section is None:
            if paragraph.numeral:
                raise DocumentError("编号条目出现在“一、主要做法”之前。", paragraph.line)
            self.summary.append(paragraph.text())
            return
        if paragraph.numeral:
            expected = chinese_numeral(1 + sum(1 for s, ps in self.items if s == self.section and ps[0].numeral))
            if paragraph.numeral != expected:
                hint = ""
                if paragraph.numeral == "一" and self.section < len(SECTION_NAMES):
                    hint = f"是否缺少“{SECTION_ORDINALS[self.section + 1]}、{_section_name(self.section + 1)}”一行？"
                raise DocumentError(f"条目编号应为（{expected}），实为（{paragraph.numeral}）。{hint}", paragraph.line)
            self.items.append((self.section, [paragraph]))
        elif self.items and self.items[-1][0] == self.section and self.items[-1][1][0].numeral:
            self.items[-1][1].append(paragraph)  # a further paragraph of a numbered item
        else:
            self.items.append((self.section, [paragraph]))  # an unnumbered paragraph is an item

    def start_section(self, section: int, line: int) -> None:
        if not self.case.provider:
            raise DocumentError("案例标题后应是提供单位一行，如“（海南省提供）”。", line)
        expected = len(self.sections_seen) + 1
        if section != expected:
            raise DocumentError(
                f"应为“{SECTION_ORDINALS[expected]}、{_section_name(expected)}”，"
                f"实为“{SECTION_ORDINALS[section]}、{_section_name(section)}”。",
                line,
            )
        self.sections_seen.append(section)
        self.section = section

    def finish(self, next_line: int) -> ParsedCase:
        if len(self.sections_seen) < 3:
            missing = _section_name(len(self.sections_seen) + 1)
            raise DocumentError(f"案例 {self.case.number}（第 {self.case.line} 行起）缺少“{missing}”部分。", next_line)
        self.case.summary = "\n".join(self.summary)
        positions: dict[int, int] = {}
        for section, paragraphs in self.items:
            positions[section] = positions.get(section, 0) + 1
            self.case.items.append(_item(section, positions[section], paragraphs))
        for section in SECTION_NAMES.values():
            if not self.case.items_in(section):
                raise DocumentError(f"案例 {self.case.number} 的“{_section_name(section)}”部分没有内容。", next_line)
        return self.case


def _item(section: int, position: int, paragraphs: list[_Paragraph]) -> ParsedItem:
    first, rest = paragraphs[0], [p.text() for p in paragraphs[1:]]
    if not first.numeral:
        return ParsedItem(section, position, "", first.text(), first.line)
    text = first.text()
    end = SENTENCE_END.search(text)
    heading, remainder = (text[: end.end()], text[end.end() :]) if end else (text, "")
    if len(heading) > MAX_HEADING_CHARS:
        raise DocumentError(f"条目的第一句超过 {MAX_HEADING_CHARS} 字，请检查是否缺少句号。", first.line)
    if not _reads_as_heading(heading, [remainder, *rest]):
        heading, remainder = "", text
    body = "\n".join(part for part in [remainder, *rest] if part)
    return ParsedItem(section, position, heading, body, first.line, numbered=True)


def _reads_as_heading(sentence: str, following: list[str]) -> bool:
    """A short first sentence that heads more text; a long one, or the item's only sentence, states the point."""
    return len(sentence) <= MAX_HEADING_SENTENCE and any(following)


def _section_name(section: int) -> str:
    return next(name for name, value in SECTION_NAMES.items() if value == section)


def parse_document(text: str) -> list[ParsedCase]:
    """Parse a whole document; raise DocumentError at the first problem, with its line."""
    cases: list[ParsedCase] = []
    builder: _CaseBuilder | None = None
    paragraph: _Paragraph | None = None

    def flush() -> None:
        nonlocal paragraph
        if paragraph is not None:
            if builder is None:
                raise DocumentError("第一个案例标题（如“1．……”）之前有正文。", paragraph.line)
            builder.add_paragraph(paragraph)
            paragraph = None

    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        ends_paragraph = raw != raw.rstrip()
        if not stripped:
            if ends_paragraph:
                flush()
            continue
        if PAGE_NUMBER.fullmatch(raw):
            continue
        if header := CASE_HEADER.fullmatch(stripped):
            flush()
            if builder is not None:
                cases.append(builder.finish(number))
            case_number = int(header.group(1))
            if any(case.number == case_number for case in cases):
                raise DocumentError(f"案例编号 {case_number} 重复。", number)
            builder = _CaseBuilder(case_number, normalise_title(header.group(2)), number)
            continue
        if provider := PROVIDER_LINE.fullmatch(stripped):
            flush()
            if builder is None or builder.case.provider or builder.summary:
                raise DocumentError("提供单位一行应紧跟在案例标题之后。", number)
            builder.case.provider = normalise_text(provider.group(1))
            builder.case.provider_line = number
            continue
        if section := SECTION_HEADER.fullmatch(stripped):
            flush()
            if builder is None:
                raise DocumentError("第一个案例标题（如“1．……”）之前有正文。", number)
            builder.start_section(SECTION_NAMES[section.group(2)], number)
            continue
        if paragraph is None:
            item = ITEM_HEADER.fullmatch(stripped)
            if item and builder is not None and builder.section is not None:
                paragraph = _Paragraph(line=number, numeral=item.group(1))
                stripped = item.group(2)
            else:
                paragraph = _Paragraph(line=number)
        if stripped:
            paragraph.fragments.append(stripped)
        if ends_paragraph:
            flush()
    flush()
    if builder is None:
        raise DocumentError("没有找到任何案例（案例以“1．标题”一行开始）。")
    cases.append(builder.finish(len(lines)))
    check_limits(cases)
    return cases


def parse_bytes(data: bytes) -> list[ParsedCase]:
    return parse_document(decode_document(data))


def check_limits(cases: list[ParsedCase]) -> None:
    """Refuse, at the first line that breaks one, what the database or the search index could not store."""
    for case in cases:
        if len(case.title) > MAX_TITLE_CHARS:
            raise DocumentError(
                f"案例 {case.number} 的标题有 {len(case.title)} 字，最多 {MAX_TITLE_CHARS} 字。", case.line
            )
        if len(case.provider) > MAX_PROVIDER_CHARS:
            raise DocumentError(
                f"案例 {case.number} 的提供单位有 {len(case.provider)} 字，最多 {MAX_PROVIDER_CHARS} 字。",
                case.provider_line,
            )
        for section in SECTION_NAMES.values():
            items = case.items_in(section)
            if len(items) > MAX_ITEMS_PER_SECTION:
                raise DocumentError(
                    f"案例 {case.number} 的“{_section_name(section)}”有 {len(items)} 条，"
                    f"最多 {MAX_ITEMS_PER_SECTION} 条；请检查是否把正文误拆成了条目。",
                    items[MAX_ITEMS_PER_SECTION].line,
                )
        for item in case.items:
            if len(item.heading) > MAX_HEADING_CHARS:
                raise DocumentError(f"条目的第一句超过 {MAX_HEADING_CHARS} 字，请检查是否缺少句号。", item.line)
        size = sum(len(text) for text in (case.title, case.provider, case.summary))
        size += sum(len(item.heading) + len(item.body) for item in case.items)
        if size > MAX_CASE_CHARS:
            raise DocumentError(
                f"案例 {case.number} 共 {size} 字，超过检索索引能容纳的 {MAX_CASE_CHARS} 字；"
                "请检查是否缺少下一个案例的标题，或把它拆成几个案例。",
                case.line,
            )
