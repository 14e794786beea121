"""Excel: a workbook with a sheet 案例 (one row per case) and a sheet 条目 (one row per item).

Each sheet has a bold header row that stays in view and filters, text that
wraps in rows as high as it needs, links to the cases' pages, and prints
landscape on A4, as wide as the page, with the header on every page.

The workbook is written with XlsxWriter in its constant-memory mode: a row
goes to a temporary file as soon as the next one starts, and the workbook is
zipped at the end into the temporary file that the response sends. Memory does
not grow with the number of cases, except for what XlsxWriter keeps of each row
(its height) and of each link. Excel takes at most 65,530 links a sheet, and
XlsxWriter drops any more with a warning: a row past that links with the
HYPERLINK function instead.

Every text is written as text (``write_string``, never ``write``, which would
take "=…" for a formula), without the characters XML cannot hold, and cut to
Excel's 32,767 characters.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from django.conf import settings
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..models import Case
from .files import saved_to_temporary_file
from .rows import CASE_COLUMNS, ITEM_COLUMNS, case_row, item_rows, xml_safe
from .selection import ExportContext

TITLE = "试点最佳实践案例"
EXCEL_MAX_CELL = 32767  # UTF-16 code units in one cell
EXCEL_MAX_LINKS = 65530  # hyperlinks in one worksheet
EXCEL_MAX_LITERAL = 255  # characters in one string of a formula
CASE_WIDTHS = [24, 8, 32, 22, 16, 16, 60, 70, 70, 70, 36]
ITEM_WIDTHS = [10, 32, 14, 8, 30, 90]
CASE_LINK_COLUMN = CASE_COLUMNS.index("链接")
ITEM_TITLE_COLUMN = ITEM_COLUMNS.index("标题")
LINK_BLUE = "#0563C1"
A4 = 9  # Excel's paper size number
# Rows get a height for their wrapped text (not every program fits it on opening): lines of LINE_PIXELS
# (16.5 points), at most CASE_MAX_LINES on 案例, whose sections run to thousands of characters (条目 has them
# in full), and at most what Excel allows (409 points) elsewhere.
LINE_PIXELS = 22
CASE_MAX_LINES = 8
ITEM_MAX_LINES = 24
# XlsxWriter's formula writer rewrites names such as SORT( or FILTER( even inside a string.
FORMULA_STRING_BREAKS = re.compile(r"(?=\()")


def write(cases: Iterable[Case], context: ExportContext) -> BinaryIO:
    """The workbook, in a temporary file open at its start (it is removed when closed)."""
    # The sheets' rows and the workbook's parts go to this directory, which goes with everything in it.
    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        return saved_to_temporary_file(lambda file: _save(file, cases, context, directory), suffix=".xlsx")


def _save(file: BinaryIO, cases: Iterable[Case], context: ExportContext, directory: str) -> None:
    options = {"constant_memory": True, "in_memory": False, "tmpdir": directory}
    # Closed (zipped) only when every row is written: not as a context manager, which would zip an abandoned
    # workbook too. An abandoned one closes its sheets' row files, which the directory takes with it.
    book = Workbook(file, options)
    try:
        _write(book, cases, context)
    except BaseException:
        for sheet in book.worksheets():
            if sheet.row_data_fh is not None:
                sheet.row_data_fh.close()
        raise
    book.close()


def _write(book: Workbook, cases: Iterable[Case], context: ExportContext) -> None:
    book.set_properties(_properties(context))
    wrapped = {"text_wrap": True, "valign": "top"}
    formats = _Formats(
        body=book.add_format(wrapped),
        header=book.add_format({**wrapped, "bold": True}),
        link=book.add_format({**wrapped, "font_color": LINK_BLUE, "underline": 1}),
    )
    case_sheet = _Sheet(book.add_worksheet("案例"), CASE_COLUMNS, CASE_WIDTHS, CASE_MAX_LINES, formats)
    item_sheet = _Sheet(book.add_worksheet("条目"), ITEM_COLUMNS, ITEM_WIDTHS, ITEM_MAX_LINES, formats)
    for case in cases:
        url = context.url_for(case)
        case_sheet.append(case_row(case, url), link_column=CASE_LINK_COLUMN, url=url)
        for values in item_rows(case):
            item_sheet.append(values, link_column=ITEM_TITLE_COLUMN, url=url)
    case_sheet.finish()
    item_sheet.finish()


@dataclass(frozen=True)
class _Formats:
    """The cells' formats: all wrap and align to the top; the header is bold, links blue and underlined."""

    body: Format
    header: Format
    link: Format


class _Sheet:
    """A worksheet written row by row (XlsxWriter's constant-memory mode takes rows in order only)."""

    def __init__(
        self, sheet: Worksheet, columns: Sequence[str], widths: Sequence[int], max_lines: int, formats: _Formats
    ) -> None:
        self.sheet = sheet
        self.columns = columns
        self.widths = widths
        self.max_lines = max_lines
        self.formats = formats
        self.row = 0  # the last row written, counted from 0 (the header)
        self.links = 0
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        for column, name in enumerate(columns):
            sheet.write_string(0, column, name, formats.header)
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)  # as wide as the page, as many pages as it takes
        sheet.repeat_rows(0)

    def append(self, values: Sequence[str | int], *, link_column: int, url: str) -> None:
        """A row of ``values``; the cell in ``link_column`` links to ``url``."""
        self.row += 1
        row, sheet, formats = self.row, self.sheet, self.formats
        sheet.set_row_pixels(row, _row_lines(values, self.widths, self.max_lines) * LINE_PIXELS)
        for column, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, column, value, formats.body)
            elif column != link_column:
                _write_text(sheet, row, column, _cell_text(value), formats.body)
            else:
                self._write_link(column, _cell_text(value), url)

    def _write_link(self, column: int, text: str, url: str) -> None:
        if self.links < EXCEL_MAX_LINKS:
            self.links += 1
            self.sheet.write_url(self.row, column, url, self.formats.link, string=text)
            if not text or _looks_like_xml(text):  # written again as any other text; the link stays
                _write_text(self.sheet, self.row, column, text, self.formats.link)
        else:  # Excel's limit of links in a sheet: the cell links through a formula, with its text as its value
            formula = f"=HYPERLINK({_formula_string(url)},{_formula_string(text)})"
            self.sheet.write_formula(self.row, column, formula, self.formats.link, text)

    def finish(self) -> None:
        """The filter over the rows written."""
        self.sheet.autofilter(0, 0, self.row, len(self.columns) - 1)


# Cells ------------------------------------------------------------------------


def _write_text(sheet: Worksheet, row: int, column: int, text: str, cell_format: Format) -> None:
    """``text`` as text (an empty cell when there is none)."""
    if not text:
        sheet.write_blank(row, column, None, cell_format)
    elif _looks_like_xml(text):
        # In constant-memory mode XlsxWriter writes a string that starts with <r> and ends with </r> unescaped,
        # as the XML of a rich string: in two runs of the cell's font, it is escaped like any other text.
        sheet.write_rich_string(row, column, cell_format, text[:1], cell_format, text[1:], cell_format)
    else:
        sheet.write_string(row, column, text, cell_format)


def _looks_like_xml(text: str) -> bool:
    return text.startswith("<r>") and text.endswith("</r>")


def _cell_text(value: str) -> str:
    """The text as a cell can hold it: without characters XML cannot hold, cut to Excel's limit."""
    value = xml_safe(value)
    if len(value) <= EXCEL_MAX_CELL // 2:  # fits even if every character takes two UTF-16 units
        return value
    units = value.encode("utf-16-le")
    if len(units) <= 2 * EXCEL_MAX_CELL:
        return value
    # A character that takes two units and would be cut in half is left out ("ignore").
    return units[: 2 * (EXCEL_MAX_CELL - 1)].decode("utf-16-le", "ignore") + "…"


def _formula_string(text: str) -> str:
    """``text`` as a string in a formula: quoted, in literals of at most 255 characters joined by &.

    A literal also ends before each "(", so that XlsxWriter cannot take any of
    the text for the name of a function it rewrites (SORT(, FILTER(, …).
    """
    literals = [
        piece[start : start + EXCEL_MAX_LITERAL]
        for piece in FORMULA_STRING_BREAKS.split(text)
        for start in range(0, len(piece), EXCEL_MAX_LITERAL)
    ]
    return "&".join(f'"{_quoted(literal)}"' for literal in literals) or '""'


def _quoted(text: str) -> str:
    """``text`` inside a formula's string literal."""
    return text.replace('"', '""')


def _row_lines(values: Sequence[str | int], widths: Sequence[int], max_lines: int) -> int:
    """How many lines show a row's wrapped text, up to ``max_lines``."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str):
            lines = max(lines, _lines(value, width - 1, max_lines))
            if lines >= max_lines:
                break
    return lines


def _lines(text: str, width: int, most: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide, counted up to ``most``.

    A Chinese character takes about two units, any other about one. The
    counting stops at ``most`` lines: a section of thousands of characters is
    not measured to the end.
    """
    lines = 0
    for line in text.split("\n"):
        line = line[: most * width]  # more characters than that would fill ``most`` lines anyway
        lines += -(-_text_width(line) // width) or 1
        if lines >= most:
            return most
    return lines


def _text_width(text: str) -> float:
    """The width of ``text`` in Excel's column units: a Chinese character takes about two, a Latin one about one.

    Every character outside ASCII counts as wide (Chinese punctuation is; a
    few others, such as “”, are a little narrower): counted this way, the
    widths of a large export take no time.
    """
    narrow = len(text.encode("ascii", "ignore"))
    return (len(text) - narrow) * 2 + narrow * 1.1


# The workbook ------------------------------------------------------------------


def _properties(context: ExportContext) -> dict[str, str | datetime]:
    """The site as the author, the scope as the subject (XlsxWriter writes no language)."""
    scope = context.selection.scope_text()
    properties = {
        "title": TITLE,
        "subject": scope,
        "author": settings.SITE_NAME,  # also the last to modify it
        "keywords": "；".join(value for _, value in context.selection.scope()),
        "comments": f"{scope}；共 {len(context.selection.ids)} 个案例",
        "category": "案例",
    }
    return {name: xml_safe(value) for name, value in properties.items()} | {"created": datetime.now(UTC)}
