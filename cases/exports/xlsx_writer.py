"""Excel: a workbook with a sheet 案例 (one row per case) and a sheet 条目 (one row per item).

Each sheet has a bold header row that stays in view and filters, and links
to the cases' pages; rows are written as they come (openpyxl's write-only
mode, to a temporary file per sheet), so only the row count has to wait until
the end, for the filter's range. The workbook itself is saved to a temporary
file that the response sends, so no copy of it is held in memory: memory does
not grow with the number of cases, except for the links (a few hundred bytes
each, listed at the end of each sheet).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from django.conf import settings

from ..models import Case
from .files import saved_to_temporary_file
from .rows import CASE_COLUMNS, ITEM_COLUMNS, case_row, item_rows, xml_safe
from .selection import ExportContext

TITLE = "试点最佳实践案例"
EXCEL_MAX_CELL = 32767
CASE_WIDTHS = [24, 8, 32, 22, 16, 16, 60, 70, 70, 70, 36]
ITEM_WIDTHS = [10, 32, 14, 8, 30, 90]
CASE_LINK_COLUMN = CASE_COLUMNS.index("链接")
ITEM_TITLE_COLUMN = ITEM_COLUMNS.index("标题")
LINK_BLUE = "0563C1"
# Rows get a height for their wrapped text (not every program fits it on opening): lines of LINE_HEIGHT points,
# at most CASE_MAX_LINES on 案例, whose sections run to thousands of characters (条目 has them in full), and
# at most what Excel allows elsewhere.
LINE_HEIGHT = 16
CASE_MAX_LINES = 8
ITEM_MAX_LINES = 25


def write(cases: Iterable[Case], context: ExportContext) -> BinaryIO:
    """The workbook, in a temporary file open at its start (it is removed when closed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    _properties(workbook, context)
    case_sheet = workbook.create_sheet("案例")
    item_sheet = workbook.create_sheet("条目")
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    link_font = Font(color=LINK_BLUE, underline="single")

    def cell(sheet, value: str | int, *, header: bool = False, link: str | None = None) -> WriteOnlyCell:
        if isinstance(value, str):
            value = xml_safe(value)
            if len(value) > EXCEL_MAX_CELL:
                value = value[: EXCEL_MAX_CELL - 1] + "…"
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            result.data_type = "s"  # text, even when it starts with "="
        result.alignment = wrap
        if header:
            result.font = bold
        if link:
            result.hyperlink = link
            result.font = link_font
        return result

    sheets = ((case_sheet, CASE_COLUMNS, CASE_WIDTHS), (item_sheet, ITEM_COLUMNS, ITEM_WIDTHS))
    for sheet, columns, widths in sheets:
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        _print_setup(sheet)
        sheet.append([cell(sheet, name, header=True) for name in columns])

    rows = {case_sheet: 1, item_sheet: 1}

    def append(sheet, cells: list[WriteOnlyCell], height: int) -> None:
        rows[sheet] += 1
        sheet.row_dimensions[rows[sheet]].height = height
        sheet.append(cells)
        del sheet.row_dimensions[rows[sheet]]  # written with the row; kept, they would add up

    for case in cases:
        url = context.url_for(case)
        values = case_row(case, url)
        append(
            case_sheet,
            [cell(case_sheet, value, link=url if i == CASE_LINK_COLUMN else None) for i, value in enumerate(values)],
            _row_height(values, CASE_WIDTHS, CASE_MAX_LINES),
        )
        for values in item_rows(case):
            append(
                item_sheet,
                [
                    cell(item_sheet, value, link=url if i == ITEM_TITLE_COLUMN else None)
                    for i, value in enumerate(values)
                ],
                _row_height(values, ITEM_WIDTHS, ITEM_MAX_LINES),
            )

    for sheet, columns, _ in sheets:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows[sheet]}"

    return saved_to_temporary_file(workbook.save, suffix=".xlsx")


def _row_height(values: Sequence[str | int], widths: Sequence[int], max_lines: int) -> int:
    """The height in points that shows a row's wrapped text, up to ``max_lines`` lines."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str):
            lines = max(lines, sum(math.ceil(_text_width(line) / (width - 1)) or 1 for line in value.split("\n")))
    return min(lines, max_lines) * LINE_HEIGHT


def _text_width(text: str) -> float:
    """The width of ``text`` in Excel's column units: a Chinese character takes about two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1.1 for char in text)


def _properties(workbook, context: ExportContext) -> None:
    """Core properties: the site as the author (not openpyxl), the scope as the subject."""
    scope = xml_safe(context.selection.scope_text())
    properties = workbook.properties
    properties.title = TITLE
    properties.subject = scope
    properties.creator = properties.lastModifiedBy = settings.SITE_NAME
    properties.description = f"{scope}；共 {len(context.selection.ids)} 个案例"
    properties.keywords = xml_safe("；".join(value for _, value in context.selection.scope()))
    properties.category = "案例"
    properties.language = "zh-CN"
    properties.created = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # written as UTC


def _print_setup(sheet) -> None:
    """Printed landscape on A4, as wide as the page, with the header row on every page."""
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
