"""The Word briefing (python-docx): a title page, then each case on its own pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date

from ..models import Case, CaseItem, NumberedItem
from ..numbering import chinese_numeral
from .rows import region_names, topic_names
from .selection import ExportContext, collection_titles

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


def write(cases: Iterable[Case], context: ExportContext) -> bytes:
    """The briefing's bytes."""
    selection = context.selection
    return docx_bytes(
        cases,
        count=len(selection.ids),
        collections=collection_titles(selection.ids),
        today=context.today,
        q=selection.q,
    )
