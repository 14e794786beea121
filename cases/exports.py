"""Exports of cases for analysts: CSV, Excel, JSON and a Word briefing.

An export takes its cases in one of two ways (see :func:`select_cases`):

* the result set of the search page, with the same parameters (``q``,
  ``region`` and ``topic``, each repeatable, and ``sort``) and in the same
  order: by relevance when there is a query, otherwise by collection and
  number; ``page`` and ``page_size`` are ignored, the whole set is exported;
* a chosen set, ``case=<id>`` repeated (from the comparison page), in the
  given order.

Only published cases are exported, at most :data:`MAX_CASES` at a time
(:data:`MAX_BRIEFING_CASES` for the Word briefing). Cases are loaded
:data:`CHUNK_SIZE` at a time with a fixed number of queries per chunk, so the
number of queries does not grow with each case and memory stays bounded; CSV
and JSON are generated row by row for a streaming response.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpRequest, QueryDict

from search.filters import CaseFilter
from search.service import ranked_case_ids

from .api import case_data
from .models import Case, CaseItem, Collection, NumberedItem
from .numbering import chinese_numeral

MAX_CASES = 5000
MAX_BRIEFING_CASES = 200
CHUNK_SIZE = 200

CASE_COLUMNS = [
    "案例集",
    "编号",
    "标题",
    "提供单位",
    "地区",
    "主题",
    "导语",
    "主要做法",
    "实践效果",
    "下一步工作思路",
    "链接",
]
ITEM_COLUMNS = ["案例编号", "标题", "部分", "序号", "要点", "正文"]

FILTER_PARAMETERS = ("q", "region", "topic", "sort")
# A case id: a positive integer that fits a 64-bit column (a longer one would fail in the database).
CASE_ID = re.compile(r"[1-9][0-9]{0,17}")
LABEL_SEPARATOR = "、"


class ExportError(Exception):
    """A request that cannot be exported: bad parameters, unknown cases, too many cases."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}

    def as_text(self) -> str:
        lines = [self.message]
        lines += [f"{name}: {message}" for name, messages in self.fields.items() for message in messages]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Selection:
    """The ids of the cases to export, in order, and what the file names say about them."""

    ids: list[int]
    labels: list[str] = field(default_factory=list)  # the query, then region and topic names
    ascii_labels: list[str] = field(default_factory=list)  # for the ASCII fallback file name
    q: str = ""
    chosen: bool = False

    def filenames(self, stem: str, ascii_stem: str, extension: str, today: date) -> tuple[str, str]:
        """The file name and its ASCII fallback, e.g. 案例_融资_湖北省_2026-11-24.csv and cases_hubei_2026-11-24.csv."""
        if self.chosen:
            labels, ascii_labels = [f"选定{len(self.ids)}个"], [f"{len(self.ids)}-selected"]
        else:
            labels, ascii_labels = self.labels, self.ascii_labels
        label = _file_label(labels, limit=60)
        ascii_label = _file_label([re.sub(r"[^A-Za-z0-9-]+", "-", part).strip("-") for part in ascii_labels], limit=60)
        name = "_".join(part for part in (stem, label, today.isoformat()) if part)
        ascii_name = "_".join(part for part in (ascii_stem, ascii_label, today.isoformat()) if part)
        return f"{name}.{extension}", f"{ascii_name}.{extension}"


UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _file_label(parts: Iterable[str], *, limit: int) -> str:
    cleaned = (re.sub(r"\s+", "_", UNSAFE_IN_FILE_NAMES.sub(" ", part).strip()) for part in parts)
    return "_".join(part for part in cleaned if part)[:limit].strip("_")


def content_disposition(filename: str, ascii_filename: str) -> str:
    """An attachment header with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``.

    Django's ``content_disposition_header`` gives only ``filename*`` for a
    non-ASCII name; the plain ``filename`` is kept for clients that ignore it.
    """
    fallback = ascii_filename.replace("\\", "").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# Choosing the cases ---------------------------------------------------------


def select_cases(params: QueryDict, *, limit: int | None = None) -> Selection:
    """The cases ``params`` ask for, at most ``limit`` (:data:`MAX_CASES`); raises :class:`ExportError`."""
    limit = MAX_CASES if limit is None else limit
    if "case" in params:
        return _chosen_cases(params, limit=limit)
    filters = CaseFilter(params)
    if not filters.is_valid():
        errors = filters.form.errors.get_json_data()
        raise ExportError(400, "导出参数无效。", {name: [e["message"] for e in errs] for name, errs in errors.items()})
    arguments = filters.search_arguments()
    q, regions, topics = arguments.q, arguments.regions, arguments.topics
    ids = ranked_case_ids(arguments, limit=limit + 1)
    if len(ids) > limit:
        raise ExportError(
            400, f"符合条件的案例超过 {limit} 个，一次最多导出 {limit} 个；请用检索词、地区或主题缩小范围后再导出。"
        )
    return Selection(
        ids=ids,
        labels=[q, *(region.full_name for region in regions), *(topic.name for topic in topics)],
        ascii_labels=[q, *(region.slug for region in regions), *(topic.slug for topic in topics)],
        q=q,
    )


def _chosen_cases(params: QueryDict, *, limit: int) -> Selection:
    mixed = [name for name in FILTER_PARAMETERS if params.get(name)]
    if mixed:
        raise ExportError(400, f"case 参数不能与 {'、'.join(mixed)} 同时使用：请导出选定的案例，或导出检索结果。")
    ids: list[int] = []
    for value in params.getlist("case"):
        value = value.strip()
        if not value:
            continue
        if not CASE_ID.fullmatch(value):
            raise ExportError(400, "导出参数无效。", {"case": [f"案例编号须为正整数，而不是“{value[:40]}”。"]})
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise ExportError(400, "导出参数无效。", {"case": ["没有选定案例。"]})
    if len(ids) > limit:
        raise ExportError(400, f"选定了 {len(ids)} 个案例，一次最多导出 {limit} 个。")
    found = set(Case.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ExportError(404, f"没有这些案例：{'、'.join(map(str, missing[:20]))}。")
    return Selection(ids=ids, chosen=True)


def iter_cases(ids: Sequence[int], *, chunk_size: int = CHUNK_SIZE) -> Iterator[Case]:
    """The published cases of ``ids`` in that order, with collection, regions, topics and items.

    Loaded ``chunk_size`` at a time with four queries per chunk. (This takes
    the place of ``QuerySet.iterator()``, which cannot keep an order given as a
    list of ids, such as the relevance order.)
    """
    cases = Case.objects.published().for_listing().prefetch_related(_ordered_items())
    it = iter(ids)
    while chunk := list(islice(it, chunk_size)):
        found = cases.in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)


def _ordered_items() -> Prefetch:
    return Prefetch("items", queryset=CaseItem.objects.order_by("section", "position", "pk"))


# The content of a case -------------------------------------------------------


def region_names(case: Case) -> str:
    return LABEL_SEPARATOR.join(region.full_name for region in case.regions.all())


def topic_names(case: Case) -> str:
    return LABEL_SEPARATOR.join(topic.name for topic in case.topics.all())


def case_row(case: Case, url: str) -> list[str | int]:
    """One case as the cells of :data:`CASE_COLUMNS`; a section's items are lines of one cell."""
    sections = case.numbered_items()
    return [
        case.collection.title,
        case.number,
        case.title,
        case.provider,
        region_names(case),
        topic_names(case),
        case.summary,
        *("\n".join(item.text for item in sections[section]) for section in CaseItem.Section.values),
        url,
    ]


# CSV -------------------------------------------------------------------------

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: str | int) -> str | int:
    # A cell that starts like a formula is run by spreadsheet programs; quote it as text.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(cases: Iterable[Case], url_for: Callable[[Case], str]) -> Iterator[str]:
    """The CSV file line by line: a BOM (for Excel), the header, then one row per case."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(CASE_COLUMNS)
    for case in cases:
        yield writer.writerow([_csv_cell(value) for value in case_row(case, url_for(case))])


# JSON ------------------------------------------------------------------------


def json_chunks(cases: Iterable[Case], request: HttpRequest) -> Iterator[str]:
    """A JSON list of whole cases, each shaped as /api/cases/<id>/ serves it, one case at a time."""
    yield "["
    separator = "\n"
    for case in cases:
        yield separator + json.dumps(case_data(request, case), ensure_ascii=False, cls=DjangoJSONEncoder)
        separator = ",\n"
    yield "\n]\n"


# Excel -----------------------------------------------------------------------

EXCEL_MAX_CELL = 32767
CASE_WIDTHS = [28, 6, 36, 24, 16, 16, 60, 80, 80, 80, 40]
ITEM_WIDTHS = [8, 36, 14, 6, 36, 100]


def xlsx_bytes(cases: Iterable[Case], url_for: Callable[[Case], str]) -> bytes:
    """A workbook: 案例 with one row per case, 条目 with one row per item."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    case_sheet = workbook.create_sheet("案例")
    item_sheet = workbook.create_sheet("条目")
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)

    def cell(sheet, value: str | int, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if len(value) > EXCEL_MAX_CELL:
                value = value[: EXCEL_MAX_CELL - 1] + "…"
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            result.data_type = "s"  # text, even when it starts with "="
        result.alignment = wrap
        if header:
            result.font = bold
        return result

    for sheet, columns, widths in ((case_sheet, CASE_COLUMNS, CASE_WIDTHS), (item_sheet, ITEM_COLUMNS, ITEM_WIDTHS)):
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([cell(sheet, name, header=True) for name in columns])

    for case in cases:
        case_sheet.append([cell(case_sheet, value) for value in case_row(case, url_for(case))])
        for items in case.numbered_items().values():
            for item in items:
                values = [case.number, case.title, item.section_label, item.order, item.heading, item.body]
                item_sheet.append([cell(item_sheet, value) for value in values])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Word ------------------------------------------------------------------------

BODY_FONT = ("SimSun", "宋体")
HEADING_FONT = ("SimHei", "黑体")
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def docx_bytes(cases: Iterable[Case], *, count: int, collections: Sequence[str], today: date, q: str = "") -> bytes:
    """A briefing: a title page, then each case on its own pages.

    ``count`` (the number of cases) and ``collections`` (the titles of the
    collections they come from) are for the title page, which is written first.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    _page_setup(document)
    _styles(document)

    title = document.add_paragraph("试点最佳实践案例简报", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [
        f"案例集：{'；'.join(collections) or '—'}",
        f"日期：{today.year}年{today.month}月{today.day}日",
        f"共 {count} 个案例",
    ]
    if q:
        lines.insert(1, f"检索词：{q}")
    for line in lines:
        paragraph = document.add_paragraph(_clean(line), style="Subtitle")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for case in cases:
        heading = document.add_heading(_clean(case.title), level=1)
        heading.paragraph_format.page_break_before = True
        meta = document.add_paragraph(style="Case Meta")
        meta.add_run(_clean(f"{case.collection.title} · 案例 {case.number}（{case.provider}）"))
        labels = document.add_paragraph(style="Case Meta")
        labels.add_run("地区：").bold = True
        labels.add_run(_clean(region_names(case) or "—"))
        labels.add_run("    主题：").bold = True
        labels.add_run(_clean(topic_names(case) or "—"))
        for text in filter(None, case.summary.splitlines()):
            document.add_paragraph(_clean(text))
        for index, (section, items) in enumerate(case.numbered_items().items(), start=1):
            if not items:
                continue
            document.add_heading(f"{chinese_numeral(index)}、{CaseItem.Section(section).label}", level=2)
            for item in items:
                _add_item(document, item)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_item(document, item: NumberedItem) -> None:
    paragraphs = item.body.splitlines() or [""]
    first = document.add_paragraph()
    if item.numeral:
        first.add_run(_clean(f"（{item.numeral}）{item.heading}")).bold = True
    first.add_run(_clean(paragraphs[0]))
    for text in filter(None, paragraphs[1:]):
        document.add_paragraph(_clean(text))


def _clean(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def _page_setup(document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(28)

    # Page number, centred in the footer.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run()
    for tag, text in (("w:fldChar", "begin"), ("w:instrText", "PAGE"), ("w:fldChar", "end")):
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), text)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    black = RGBColor(0, 0, 0)
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, Pt(12))
    normal.paragraph_format.first_line_indent = Pt(24)  # two characters
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(6)

    for name, size in (("Title", 22), ("Subtitle", 14), ("Heading 1", 16), ("Heading 2", 14)):
        style = document.styles[name]
        _font(style, HEADING_FONT if name != "Subtitle" else BODY_FONT, Pt(size), color=black)
        style.font.italic = False
        style.paragraph_format.first_line_indent = Pt(0)
    document.styles["Title"].paragraph_format.space_before = Pt(180)
    document.styles["Title"].paragraph_format.space_after = Pt(24)
    document.styles["Heading 1"].paragraph_format.space_after = Pt(12)
    document.styles["Heading 2"].paragraph_format.space_before = Pt(12)
    document.styles["Heading 2"].paragraph_format.space_after = Pt(6)
    # The template's title has a rule under it; a briefing's title page does without.
    title_pPr = document.styles["Title"].element.pPr
    if title_pPr is not None:
        for border in title_pPr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"):
            title_pPr.remove(border)

    meta = document.styles.add_style("Case Meta", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = normal
    _font(meta, BODY_FONT, Pt(10.5), color=RGBColor(0x59, 0x59, 0x59))
    meta.paragraph_format.first_line_indent = Pt(0)
    meta.paragraph_format.space_after = Pt(2)


def _font(style, fonts: tuple[str, str], size, *, color=None) -> None:
    """Latin and East Asian typefaces in place of the template's theme fonts."""
    from docx.oxml.ns import qn

    latin, east_asian = fonts
    style.font.name = latin
    style.font.size = size
    if color is not None:
        style.font.color.rgb = color
    fonts_element = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts_element.attrib.pop(qn(theme), None)
    fonts_element.set(qn("w:eastAsia"), east_asian)


def collection_titles(ids: Sequence[int]) -> list[str]:
    """Titles of the collections the cases ``ids`` belong to, for the briefing's title page."""
    return list(Collection.objects.filter(cases__pk__in=ids).distinct().values_list("title", flat=True))
