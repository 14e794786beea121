"""A case as the cells of a table row, shared by the CSV and Excel writers (and the briefing's labels)."""

from __future__ import annotations

import re

from ..models import SECTIONS, Case

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

LABEL_SEPARATOR = "、"
# Characters that XML 1.0 (and so .docx and .xlsx) cannot hold.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an Office file cannot hold."""
    return XML_ILLEGAL.sub("", text)


def region_names(case: Case) -> str:
    return LABEL_SEPARATOR.join(region.full_name for region in case.labels.regions)


def topic_names(case: Case) -> str:
    return LABEL_SEPARATOR.join(topic.name for topic in case.labels.topics)


def case_row(case: Case, url: str) -> list[str | int]:
    """One case as the cells of :data:`CASE_COLUMNS`; a section's items are lines of one cell.

    The case is one :func:`.selection.prepared` gives (with ``labels`` and ``sections``), as for every function here.
    """
    sections = case.sections
    return [
        case.collection.title,
        case.number,
        case.title,
        case.provider,
        region_names(case),
        topic_names(case),
        case.summary,
        *("\n".join(item.text for item in sections[section]) for section in SECTIONS),
        url,
    ]


def item_rows(case: Case) -> list[list[str | int]]:
    """The case's numbered items as the cells of :data:`ITEM_COLUMNS`, section by section."""
    return [
        [case.number, case.title, item.section_label, item.order, item.heading, item.body]
        for items in case.sections.values()
        for item in items
    ]
