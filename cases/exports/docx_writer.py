"""The Word briefing (python-docx), ready to hand in: a cover, a table of contents, then each case on its own pages.

Word, WPS and LibreOffice number the pages and build the table of contents
from fields (PAGE, TOC). The table is written with its entries already in
the field's result, so it reads well before anything updates it (LibreOffice
does not update it when it converts to PDF); Word is asked to update the
fields when it opens the file, which fills in the page numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from django.conf import settings

from ..models import Case, CaseItem, NumberedItem
from ..numbering import chinese_numeral
from .files import saved_to_temporary_file
from .rows import region_names, topic_names, xml_safe
from .selection import ExportContext, Selection, collection_titles

TITLE = "试点最佳实践案例简报"
BODY_FONT = ("SimSun", "宋体")
HEADING_FONT = ("SimHei", "黑体")
LANGUAGE = "zh-CN"
TEXT_WIDTH_MM = 210 - 2 * 28  # A4 less the side margins
# (name, alternative name, PANOSE, family, pitch) as Word writes them for its Chinese typefaces.
CHINESE_FONTS = (
    ("宋体", "SimSun", "02010600030101010101", "auto", "variable"),
    ("黑体", "SimHei", "02010609060101010101", "modern", "fixed"),
)
APP_PROPERTIES = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<DocSecurity>0</DocSecurity><LinksUpToDate>false</LinksUpToDate></Properties>"
)
GREY = (0x59, 0x59, 0x59)
LINK_BLUE = (0x05, 0x63, 0xC1)


@dataclass(frozen=True)
class Cover:
    """What the cover says: the scope of the briefing, its date and how many cases it has."""

    selection: Selection
    collections: Sequence[str]
    today: date


def write(cases: Iterable[Case], context: ExportContext) -> BinaryIO:
    """The briefing, in a temporary file open at its start (it is removed when closed)."""
    selection = context.selection
    cover = Cover(selection=selection, collections=collection_titles(selection.ids), today=context.today)
    return saved_to_temporary_file(
        lambda file: save_briefing(file, cases, cover=cover, url_for=context.url_for), suffix=".docx"
    )


def save_briefing(file: BinaryIO, cases: Iterable[Case], *, cover: Cover, url_for: Callable[[Case], str]) -> None:
    """Write a briefing of ``cases`` to ``file``.

    At most a few hundred cases (``EXPORT_MAX_BRIEFING_CASES``): the whole
    document is built in memory before it is saved.
    """
    from docx import Document

    cases = list(cases)  # the table of contents, written first, lists them all
    document = Document()
    _properties(document, cover)
    _settings(document)
    _page_setup(document)
    _styles(document)
    styles = {style.name: style.style_id for style in document.styles}
    _cover(document, cover)
    _contents(document, cases, styles)
    for index, case in enumerate(cases, start=1):
        _case(document, case, styles, url=url_for(case), index=index)

    document.save(file)


# Parts of the briefing ---------------------------------------------------------


def _cover(document, cover: Cover) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    title = document.add_paragraph(TITLE, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [
        f"案例集：{'；'.join(cover.collections) or '—'}",
        *(f"{label}：{value}" for label, value in cover.selection.scope()),
        f"日期：{cover.today.year}年{cover.today.month}月{cover.today.day}日",
        f"共 {len(cover.selection.ids)} 个案例",
    ]
    for line in lines:
        paragraph = document.add_paragraph(xml_safe(line), style="Subtitle")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    publisher = document.add_paragraph(xml_safe(settings.SITE_NAME), style="Cover Publisher")
    publisher.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _contents(document, cases: Sequence[Case], styles: dict[str, str]) -> None:
    """The table of contents: a TOC field over the case headings, its result already holding the entries.

    Each entry links to its case's heading. The entries have no page numbers,
    which updating the field adds (in Word: right-click, 更新域; in WPS: 更新目录):
    a number guessed here would be wrong in one program or another.
    """
    heading = document.add_paragraph("目录", style="TOC Heading")
    heading.paragraph_format.page_break_before = True
    entries = [_paragraph(document, styles, "toc 1") for _ in cases or [None]]
    entries[0]._p.extend(_field_start(' TOC \\o "1-1" \\h \\z \\u '))
    for index, (paragraph, case) in enumerate(zip(entries, cases, strict=False), start=1):
        _hyperlink(paragraph, anchor=_bookmark(index)).append(_run(xml_safe(case.title)))
    entries[-1]._p.append(_field_end())


def _case(document, case: Case, styles: dict[str, str], *, url: str, index: int) -> None:
    """The case's pages; its heading carries the bookmark numbered ``index`` that its entry in the contents links to."""
    heading = _paragraph(document, styles, "Heading 1")
    heading.paragraph_format.page_break_before = True
    _bookmarked(heading, xml_safe(case.title), name=_bookmark(index), bookmark_id=index)
    meta = _paragraph(document, styles, "Case Meta")
    meta.add_run(xml_safe(f"{case.collection.title} · 案例 {case.number}（{case.provider}）"))
    labels = _paragraph(document, styles, "Case Meta")
    labels.add_run("地区：").bold = True
    labels.add_run(xml_safe(region_names(case) or "—"))
    labels.add_run("    主题：").bold = True
    labels.add_run(xml_safe(topic_names(case) or "—"))
    link = _paragraph(document, styles, "Case Meta")
    link.add_run("网页：").bold = True
    _hyperlink(link, url=url).append(_run(xml_safe(url), style="Hyperlink"))
    for text in filter(None, case.summary.splitlines()):
        document.add_paragraph(xml_safe(text))
    for index, (section, items) in enumerate(case.sections.items(), start=1):
        if not items:
            continue
        _paragraph(document, styles, "Heading 2", f"{chinese_numeral(index)}、{CaseItem.Section(section).label}")
        for item in items:
            _add_item(document, item)


def _add_item(document, item: NumberedItem) -> None:
    paragraphs = item.body.splitlines() or [""]
    first = document.add_paragraph()
    if item.numeral:
        first.add_run(xml_safe(f"（{item.numeral}）{item.heading}")).bold = True
    first.add_run(xml_safe(paragraphs[0]))
    for text in filter(None, paragraphs[1:]):
        document.add_paragraph(xml_safe(text))


def _paragraph(document, styles: dict[str, str], style: str, text: str = ""):
    """A paragraph in the named style, set by its id (``styles``: name → id).

    python-docx looks a style given by name up through the whole styles part,
    twice, for each paragraph: for a briefing of 200 cases that was most of its time.
    """
    paragraph = document.add_paragraph(text)
    paragraph._p.style = styles[style]
    return paragraph


def _bookmark(index: int) -> str:
    return f"_Toc{index:08d}"


# Fields, links and bookmarks (WordprocessingML that python-docx has no API for) ---


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(name.replace("_", ":", 1)), value)
    return element


def _run(text: str, *, style: str | None = None):
    run = _element("w:r")
    if style:
        properties = _element("w:rPr")
        properties.append(_element("w:rStyle", w_val=style))
        run.append(properties)
    if text:
        text_element = _element("w:t", xml_space="preserve")
        text_element.text = text
        run.append(text_element)
    return run


def _field_start(instruction: str) -> list:
    """The runs that open a complex field up to its result: begin, the instruction, separate."""
    begin, code, separate = _element("w:r"), _element("w:r"), _element("w:r")
    begin.append(_element("w:fldChar", w_fldCharType="begin"))
    text = _element("w:instrText", xml_space="preserve")
    text.text = instruction
    code.append(text)
    separate.append(_element("w:fldChar", w_fldCharType="separate"))
    return [begin, code, separate]


def _field_end():
    end = _element("w:r")
    end.append(_element("w:fldChar", w_fldCharType="end"))
    return end


def _field(paragraph, instruction: str, result: str) -> None:
    paragraph._p.extend([*_field_start(instruction), _run(result), _field_end()])


def _hyperlink(paragraph, *, url: str | None = None, anchor: str | None = None):
    """An empty hyperlink at the end of ``paragraph``, to a web address or to a bookmark; append runs to it."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    if url is not None:
        link = _element("w:hyperlink", w_history="1")
        link.set(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
            paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True),
        )
    else:
        link = _element("w:hyperlink", w_anchor=anchor or "", w_history="1")
    paragraph._p.append(link)
    return link


def _bookmarked(paragraph, text: str, *, name: str, bookmark_id: int) -> None:
    paragraph._p.append(_element("w:bookmarkStart", w_id=str(bookmark_id), w_name=name))
    paragraph._p.append(_run(text))
    paragraph._p.append(_element("w:bookmarkEnd", w_id=str(bookmark_id)))


# The document's settings, page and styles ----------------------------------------------


def _properties(document, cover: Cover) -> None:
    """Core properties of the briefing, in place of the template's ("python-docx", its comments, its thumbnail)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # python-docx writes it as UTC
    properties = document.core_properties
    properties.title = TITLE
    scope = xml_safe(cover.selection.scope_text())
    properties.subject = scope
    properties.author = properties.last_modified_by = settings.SITE_NAME
    properties.comments = f"{scope}；共 {len(cover.selection.ids)} 个案例"
    properties.keywords = xml_safe("；".join(value for _, value in cover.selection.scope()))
    properties.category = "案例简报"
    properties.language = LANGUAGE
    properties.created = properties.modified = now
    properties.revision = 1
    _package_parts(document)


def _settings(document) -> None:
    """Chinese is the document's language.

    The file does not ask Word to update its fields on opening: Word would ask
    first whether fields "that may refer to other files" may be updated, which
    reads as a warning, and WPS ignores the request. The contents already list
    the cases (see ``_contents``); the footer's page numbers need no update.
    """
    document_settings = document.settings.element
    theme_language = document_settings.find(_qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(_qn("w:eastAsia"), LANGUAGE)


def _package_parts(document) -> None:
    """The template's preview picture goes (it is of another document), and so do its application statistics."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(key)
        elif relationship.reltype == RELATIONSHIP_TYPE.EXTENDED_PROPERTIES:
            relationship.target_part._blob = APP_PROPERTIES

    # Chinese typefaces in the font table, so that a program without them substitutes another Chinese one.
    font_table = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    fonts = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alternative}"/><w:panose1 w:val="{panose}"/>'
        f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'  # 86: GB2312
        for name, alternative, panose, family, pitch in CHINESE_FONTS
    )
    font_table._blob = font_table.blob.replace(b"</w:fonts>", fonts.encode() + b"</w:fonts>")


def _qn(name: str) -> str:
    from docx.oxml.ns import qn

    return qn(name)


def _page_setup(document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(28)
    section.different_first_page_header_footer = True  # a cover without header or page number

    header = section.header.paragraphs[0]
    header.text = TITLE
    header.style = document.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER

    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _field(footer, " PAGE ", "1")
    footer.add_run(" —")


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm, Pt, RGBColor

    black = RGBColor(0, 0, 0)
    grey = RGBColor(*GREY)
    _language(document)

    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, Pt(12))
    normal.paragraph_format.first_line_indent = Pt(24)  # two characters
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(6)

    for name, size in (("Title", 26), ("Subtitle", 14), ("Heading 1", 16), ("Heading 2", 14), ("TOC Heading", 16)):
        style = document.styles[name]
        _font(style, HEADING_FONT if name != "Subtitle" else BODY_FONT, Pt(size), color=black)
        style.font.italic = False
        style.paragraph_format.first_line_indent = Pt(0)
    document.styles["Title"].paragraph_format.space_before = Pt(160)
    document.styles["Title"].paragraph_format.space_after = Pt(48)
    document.styles["Subtitle"].paragraph_format.space_after = Pt(6)
    document.styles["Heading 1"].paragraph_format.space_after = Pt(12)
    document.styles["Heading 2"].paragraph_format.space_before = Pt(12)
    document.styles["Heading 2"].paragraph_format.space_after = Pt(6)
    toc_heading = document.styles["TOC Heading"].paragraph_format
    toc_heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    toc_heading.space_after = Pt(18)
    # The template's title has a rule under it; a briefing's cover does without.
    title_pPr = document.styles["Title"].element.pPr
    if title_pPr is not None:
        for border in title_pPr.findall(_qn("w:pBdr")):
            title_pPr.remove(border)

    publisher = document.styles.add_style("Cover Publisher", WD_STYLE_TYPE.PARAGRAPH)
    publisher.base_style = normal
    _font(publisher, HEADING_FONT, Pt(16))
    publisher.paragraph_format.first_line_indent = Pt(0)
    publisher.paragraph_format.space_before = Pt(200)

    meta = document.styles.add_style("Case Meta", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = normal
    _font(meta, BODY_FONT, Pt(10.5), color=grey)
    meta.paragraph_format.first_line_indent = Pt(0)
    meta.paragraph_format.space_after = Pt(2)

    toc = document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH, builtin=True)  # Word's entries
    toc.element.styleId = "TOC1"
    toc.base_style = normal
    toc.next_paragraph_style = normal
    _font(toc, BODY_FONT, Pt(12))
    toc.paragraph_format.first_line_indent = Pt(0)
    toc.paragraph_format.space_after = Pt(3)
    toc.paragraph_format.line_spacing = 1.25
    toc.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    for name in ("Header", "Footer"):
        style = document.styles[name]
        _font(style, BODY_FONT, Pt(9), color=grey)
        style.paragraph_format.first_line_indent = Pt(0)

    link = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER, builtin=True)
    link.element.styleId = "Hyperlink"
    link.font.color.rgb = RGBColor(*LINK_BLUE)
    link.font.underline = True


def _language(document) -> None:
    """Chinese (PRC) as the language of the text, for line breaking, spelling and the choice of glyphs."""
    defaults = document.styles.element.find(_qn("w:docDefaults"))
    run_defaults = defaults.find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    language = run_defaults.find(_qn("w:lang"))
    if language is None:
        language = _element("w:lang")
        run_defaults.append(language)
    language.set(_qn("w:val"), LANGUAGE)
    language.set(_qn("w:eastAsia"), LANGUAGE)


def _font(style, fonts: tuple[str, str], size, *, color=None) -> None:
    """Latin and East Asian typefaces in place of the template's theme fonts."""
    latin, east_asian = fonts
    style.font.name = latin
    style.font.size = size
    if color is not None:
        style.font.color.rgb = color
    fonts_element = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts_element.attrib.pop(_qn(theme), None)
    fonts_element.set(_qn("w:eastAsia"), east_asian)
