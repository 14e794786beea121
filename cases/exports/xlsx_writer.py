"""Excel: a workbook with a sheet 案例 (one row per case) and a sheet 条目 (one row per item)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from ..models import Case
from .rows import CASE_COLUMNS, ITEM_COLUMNS, case_row, item_rows
from .selection import ExportContext

EXCEL_MAX_CELL = 32767
CASE_WIDTHS = [28, 6, 36, 24, 16, 16, 60, 80, 80, 80, 40]
ITEM_WIDTHS = [8, 36, 14, 6, 36, 100]


def write(cases: Iterable[Case], context: ExportContext) -> bytes:
    """The workbook's bytes; rows are written as they come (openpyxl's write-only mode)."""
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
        case_sheet.append([cell(case_sheet, value) for value in case_row(case, context.url_for(case))])
        for values in item_rows(case):
            item_sheet.append([cell(item_sheet, value) for value in values])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
