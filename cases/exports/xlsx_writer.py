"""Excel: a workbook with a sheet 案例 (one row per case) and a sheet 条目 (one row per item).

Each sheet has a bold header row that stays in view and filters, text that
wraps in rows as high as it needs, links to the cases' pages, and prints
landscape on A4, as wide as the page, with the header on every page.

The workbook is written here as SpreadsheetML (ECMA-376) rather than through
a spreadsheet library: an export of 10,000 cases has some 600,000 cells, and a
library's cell objects cost some forty microseconds each, where a formatted
string costs two. Each sheet's rows are written to a temporary file as they
come, and the sheets are then zipped into another temporary file that the
response sends: memory does not grow with the number of cases, except for the
links (Excel takes at most 65,530 a sheet; an item row past that links with
the HYPERLINK function instead, which needs no list).
"""

from __future__ import annotations

import tempfile
import zipfile
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
EXCEL_MAX_LINKS = 65530  # hyperlinks in one worksheet
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
# The rows' XML is compressed once, at the end; a faster level than zlib's default, for a file a little larger.
COMPRESSION = 3

# Cell styles (indices into cellXfs in styles.xml): all wrap and align to the top.
BODY, HEADER, LINK = 1, 2, 3

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = f"{RELATIONSHIPS}/hyperlink"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def write(cases: Iterable[Case], context: ExportContext) -> BinaryIO:
    """The workbook, in a temporary file open at its start (it is removed when closed)."""
    sheets = [
        _Sheet("案例", CASE_COLUMNS, CASE_WIDTHS, CASE_MAX_LINES),
        _Sheet("条目", ITEM_COLUMNS, ITEM_WIDTHS, ITEM_MAX_LINES),
    ]
    case_sheet, item_sheet = sheets
    try:
        for case in cases:
            url = context.url_for(case)
            case_sheet.append(case_row(case, url), link_column=CASE_LINK_COLUMN, url=url)
            for values in item_rows(case):
                item_sheet.append(values, link_column=ITEM_TITLE_COLUMN, url=url)
        return saved_to_temporary_file(lambda file: _save(file, sheets, context), suffix=".xlsx")
    finally:
        for sheet in sheets:
            sheet.rows_file.close()


class _Sheet:
    """A worksheet whose rows are written to a temporary file as they come; its head and tail are written last."""

    def __init__(self, name: str, columns: Sequence[str], widths: Sequence[int], max_lines: int) -> None:
        self.name = name
        self.columns = columns
        self.widths = widths
        self.max_lines = max_lines
        self.letters = [_column_letter(index) for index in range(len(columns))]
        self.rows_file = tempfile.TemporaryFile(prefix="export-sheet-")  # noqa: SIM115 - closed by write()
        self.rows = 0
        self.links: list[tuple[str, str]] = []  # (cell, address) of the cells that link, up to EXCEL_MAX_LINKS
        self._pending: list[str] = []
        self._row([_text_cell(f"{letter}1", HEADER, name) for letter, name in zip(self.letters, columns, strict=True)])

    def append(self, values: Sequence[str | int], *, link_column: int, url: str) -> None:
        row = self.rows + 1
        cells = []
        for column, (letter, value) in enumerate(zip(self.letters, values, strict=True)):
            ref = f"{letter}{row}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}" s="{BODY}"><v>{value}</v></c>')
                continue
            value = _cell_text(value)
            if column != link_column:
                cells.append(_text_cell(ref, BODY, value) if value else f'<c r="{ref}" s="{BODY}"/>')
            elif len(self.links) < EXCEL_MAX_LINKS:
                self.links.append((ref, url))
                cells.append(_text_cell(ref, LINK, value))
            else:  # Excel's limit of links in a sheet: the cell links through a formula, with its text as its value
                formula = f'HYPERLINK("{_quoted(url)}","{_quoted(value)}")'
                cells.append(f'<c r="{ref}" s="{LINK}" t="str"><f>{_escape(formula)}</f><v>{_escape(value)}</v></c>')
        self._row(cells, height=_row_height(values, self.widths, self.max_lines))

    def _row(self, cells: list[str], height: int | None = None) -> None:
        self.rows += 1
        size = f' ht="{height}" customHeight="1"' if height else ""
        self._pending.append(f'<row r="{self.rows}"{size}>{"".join(cells)}</row>')
        if len(self._pending) >= 200:
            self._flush()

    def _flush(self) -> None:
        self.rows_file.write("".join(self._pending).encode())
        self._pending.clear()

    @property
    def last_cell(self) -> str:
        return f"{self.letters[-1]}{self.rows}"

    def head(self, *, selected: bool) -> str:
        columns = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(self.widths, start=1)
        )
        tab = ' tabSelected="1"' if selected else ""
        return (
            f'{XML_DECLARATION}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{self.last_cell}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{columns}</cols><sheetData>"
        )

    def tail(self) -> str:
        links = "".join(
            f'<hyperlink ref="{ref}" r:id="rId{index}"/>' for index, (ref, _) in enumerate(self.links, start=1)
        )
        return (
            f'</sheetData><autoFilter ref="A1:{self.last_cell}"/>'
            + (f"<hyperlinks>{links}</hyperlinks>" if links else "")
            + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
        )

    def relationships(self) -> str:
        links = "".join(
            f'<Relationship Id="rId{index}" Type="{HYPERLINK}" Target="{_escape(url, quote=True)}"'
            ' TargetMode="External"/>'
            for index, (_, url) in enumerate(self.links, start=1)
        )
        return f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{links}</Relationships>'

    def range(self) -> str:
        """The sheet's name and its filtered range as a defined name writes them: '案例'!$A$1:$K$21."""
        return f"'{self.name}'!$A$1:${self.letters[-1]}${self.rows}"


def _save(file: BinaryIO, sheets: list[_Sheet], context: ExportContext) -> None:
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", _package_relationships())
        archive.writestr("docProps/core.xml", _core_properties(context))
        archive.writestr("docProps/app.xml", _app_properties())
        archive.writestr("xl/workbook.xml", _workbook(sheets))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_relationships(len(sheets)))
        archive.writestr("xl/styles.xml", _styles())
        for number, sheet in enumerate(sheets, start=1):
            sheet._flush()
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                part.write(sheet.head(selected=number == 1).encode())
                sheet.rows_file.seek(0)
                while chunk := sheet.rows_file.read(1 << 20):
                    part.write(chunk)
                part.write(sheet.tail().encode())
            if sheet.links:
                archive.writestr(f"xl/worksheets/_rels/sheet{number}.xml.rels", sheet.relationships())


# Cells ------------------------------------------------------------------------


def _text_cell(ref: str, style: int, text: str) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_escape(text)}</t></is></c>'


def _cell_text(value: str) -> str:
    """The text as a cell can hold it: without characters XML cannot hold, cut to Excel's limit."""
    value = xml_safe(value)
    if len(value) > EXCEL_MAX_CELL:
        value = value[: EXCEL_MAX_CELL - 1] + "…"
    return value


def _escape(text: str, *, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _quoted(text: str) -> str:
    """``text`` inside a formula's string literal."""
    return text.replace('"', '""')


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _row_height(values: Sequence[str | int], widths: Sequence[int], max_lines: int) -> int:
    """The height in points that shows a row's wrapped text, up to ``max_lines`` lines."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str):
            lines = max(lines, _lines(value, width - 1, max_lines))
            if lines >= max_lines:
                break
    return lines * LINE_HEIGHT


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


# The package's other parts ---------------------------------------------------------


def _content_types(sheets: int) -> str:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = [
        ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
        *((f"/xl/worksheets/sheet{number}.xml", sheet_type) for number in range(1, sheets + 1)),
    ]
    return (
        f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
        + "</Types>"
    )


def _package_relationships() -> str:
    parts = [
        (f"{RELATIONSHIPS}/officeDocument", "xl/workbook.xml"),
        (f"{PACKAGE_RELATIONSHIPS}/metadata/core-properties", "docProps/core.xml"),
        (f"{RELATIONSHIPS}/extended-properties", "docProps/app.xml"),
    ]
    return _relationships(parts)


def _workbook_relationships(sheets: int) -> str:
    parts = [(f"{RELATIONSHIPS}/worksheet", f"worksheets/sheet{number}.xml") for number in range(1, sheets + 1)]
    return _relationships([*parts, (f"{RELATIONSHIPS}/styles", "styles.xml")])


def _relationships(parts: list[tuple[str, str]]) -> str:
    entries = "".join(
        f'<Relationship Id="rId{index}" Type="{kind}" Target="{target}"/>'
        for index, (kind, target) in enumerate(parts, start=1)
    )
    return f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{entries}</Relationships>'


def _workbook(sheets: list[_Sheet]) -> str:
    """The sheets, each with its filter's range and its header row printed on every page (defined names)."""
    entries = "".join(
        f'<sheet name="{sheet.name}" sheetId="{number}" r:id="rId{number}"/>'
        for number, sheet in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">{_escape(sheet.range())}'
        "</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">\'{sheet.name}\'!$1:$1</definedName>'
        for index, sheet in enumerate(sheets)
    )
    return (
        f'{XML_DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _styles() -> str:
    """The default font, bold for the header, blue underlined for links; every cell but the default wraps."""
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
    wrapped = '<alignment vertical="top" wrapText="1"/>'
    return (
        f'{XML_DECLARATION}<styleSheet xmlns="{MAIN}">'
        f'<fonts count="3"><font>{font}</font><font><b val="1"/>{font}</font>'
        f'<font><u val="single"/><color rgb="FF{LINK_BLUE}"/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{wrapped}</xf>'
        f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{wrapped}</xf>'
        f'<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{wrapped}</xf>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


def _core_properties(context: ExportContext) -> str:
    """The site as the author, the scope as the subject."""
    scope = xml_safe(context.selection.scope_text())
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = [
        ("dc:title", TITLE),
        ("dc:subject", scope),
        ("dc:creator", settings.SITE_NAME),
        ("cp:keywords", xml_safe("；".join(value for _, value in context.selection.scope()))),
        ("dc:description", f"{scope}；共 {len(context.selection.ids)} 个案例"),
        ("cp:lastModifiedBy", settings.SITE_NAME),
        ("cp:category", "案例"),
        ("dc:language", "zh-CN"),
    ]
    return (
        f"{XML_DECLARATION}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + "".join(f"<{name}>{_escape(xml_safe(value))}</{name}>" for name, value in fields)
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


def _app_properties() -> str:
    return (
        f'{XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<DocSecurity>0</DocSecurity><LinksUpToDate>false</LinksUpToDate></Properties>"
    )
