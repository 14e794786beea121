"""Which cases an export covers, loading them in chunks, and what the file is called."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, QueryDict

from regions.models import Region
from search.facets import all_labels, labelled
from search.filters import CaseFilter
from search.service import ranked_case_ids

from ..converters import CASE_ID
from ..models import Case, CaseItem, Collection, Topic
from .rows import LABEL_SEPARATOR

CHUNK_SIZE = 200

FILTER_PARAMETERS = ("q", "region", "topic", "sort")


class ExportError(Exception):
    """A request that cannot be exported: bad parameters, unknown cases, too many cases."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None) -> None:
        """``fields``: the messages by what the search page calls each parameter (地区, 排序…)."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}

    def problems(self) -> list[str]:
        """Each problem with a parameter, named as the search page names it: 地区：没有标识为“x”的地区。"""
        return [f"{name}：{text}" for name, texts in self.fields.items() for text in texts]


@dataclass(frozen=True)
class Selection:
    """The ids of the cases to export, in order, and what the file names say about them."""

    ids: list[int]
    labels: list[str] = field(default_factory=list)  # the query, then region and topic names
    ascii_labels: list[str] = field(default_factory=list)  # for the ASCII fallback file name
    q: str = ""
    regions: list[str] = field(default_factory=list)  # the names of the region filters
    topics: list[str] = field(default_factory=list)  # the names of the topic filters
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

    def scope(self) -> list[tuple[str, str]]:
        """What the export covers, as (label, value) lines: the query words and the filters by name, or the choice."""
        if self.chosen:
            return [("范围", "已选案例")]
        lines = [
            ("检索词", self.q),
            ("地区", LABEL_SEPARATOR.join(self.regions)),
            ("主题", LABEL_SEPARATOR.join(self.topics)),
        ]
        return [(label, value) for label, value in lines if value] or [("范围", "全部案例")]

    def scope_text(self) -> str:
        """The scope on one line, e.g. 检索词：融资；地区：湖北省."""
        return "；".join(f"{label}：{value}" for label, value in self.scope())


@dataclass(frozen=True)
class ExportContext:
    """What a writer may need besides the cases: the request, the selection and the day of the export."""

    request: HttpRequest
    selection: Selection
    today: date

    def url_for(self, case: Case) -> str:
        """The absolute address of the case's page."""
        return self.request.build_absolute_uri(case.get_absolute_url())


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
    """The cases ``params`` ask for, at most ``limit`` (``EXPORT_MAX_CASES``); raises :class:`ExportError`."""
    limit = settings.EXPORT_MAX_CASES if limit is None else limit
    if "case" in params:
        return _chosen_cases(params, limit=limit)
    filters = CaseFilter(params)
    if not filters.is_valid():
        form = filters.form
        errors = {
            form.fields[name].label: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()
        }
        raise ExportError(400, "导出参数无效。", errors)
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
        regions=[region.full_name for region in regions],
        topics=[topic.name for topic in topics],
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
            raise ExportError(400, "导出参数无效。", {"案例": [f"案例编号须为正整数，而不是“{value[:40]}”。"]})
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise ExportError(400, "导出参数无效。", {"案例": ["没有选定案例。"]})
    if len(ids) > limit:
        raise ExportError(400, f"选定了 {len(ids)} 个案例，一次最多导出 {limit} 个。")
    found = set(Case.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ExportError(404, f"没有这些案例：{'、'.join(map(str, missing[:20]))}。")
    return Selection(ids=ids, chosen=True)


def collection_titles(ids: Sequence[int]) -> list[str]:
    """Titles of the collections the cases ``ids`` belong to."""
    return list(Collection.objects.filter(cases__pk__in=ids).distinct().values_list("title", flat=True))


# Loading the cases ------------------------------------------------------------


def iter_cases(ids: Sequence[int], *, chunk_size: int = CHUNK_SIZE) -> Iterator[Case]:
    """The published cases of ``ids`` in that order, with what the writers read (see :func:`prepared`).

    Loaded ``chunk_size`` at a time with three queries per chunk (and the
    regions and topics once). This takes the place of ``QuerySet.iterator()``,
    which cannot keep an order given as a list of ids, such as the relevance
    order.
    """
    cases = Case.objects.published().select_related("collection")
    labels = None
    it = iter(ids)
    while chunk := list(islice(it, chunk_size)):
        labels = labels or all_labels()
        found = cases.in_bulk(chunk)
        yield from prepared([found[pk] for pk in chunk if pk in found], labels)


def prepared(cases: list[Case], labels: tuple[list[Region], list[Topic]] | None = None) -> list[Case]:
    """The cases, each with ``labels`` (its regions and topics) and ``sections`` (its numbered items by section).

    Two queries for all of them: their regions and topics, their items.
    The writers and :func:`cases.api.case_data` read only these, never the
    relations themselves, which for thousands of cases would cost more than
    writing them out.
    """
    labelled(cases, labels)
    items: dict[int, list[ItemFields]] = {case.pk: [] for case in cases}
    if items:
        rows = (
            CaseItem.objects.filter(case_id__in=list(items))
            .order_by("case_id", "section", "position", "pk")
            .values_list("case_id", *ItemFields._fields)
        )
        for case_id, *fields in rows:
            items[case_id].append(ItemFields(*fields))
    for case in cases:
        case.sections = case.numbered_items(items[case.pk])
    return cases


class ItemFields(NamedTuple):
    """What numbering an item needs, read without making a model instance of each of thousands of items."""

    section: int
    position: int
    heading: str
    body: str
    numbered: bool
