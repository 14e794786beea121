"""One download view for every format; :data:`FORMATS` says what differs between them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..models import Case
from . import csv_writer, docx_writer, json_writer, selection, xlsx_writer
from .selection import FILTER_PARAMETERS, ExportContext, ExportError

# Zipping a workbook at the end takes up to half as long as writing its rows (3.5 of 7.4 s for 10,000 cases).
FINISHING_SHARE = 0.5
# Cases between two looks at the clock: two chunks (selection.CHUNK_SIZE), so the pace includes loading them.
CHECK_EVERY = 2 * selection.CHUNK_SIZE
# The first look comes after this share of the time limit: earlier, one pause (a full garbage collection
# after an earlier export took 0.5 s) made the pace of the first 400 of 10,000 cases project 33 s for 12.
FIRST_LOOK = 0.2

# A writer gives the text piece by piece (sent as it is made), or a temporary file that holds the whole file.
Writer = Callable[[Iterable[Case], ExportContext], "Iterator[str] | BinaryIO"]


@dataclass(frozen=True)
class ExportFormat:
    """A kind of download: its URL name and path, its file, how it is written and how many cases it takes."""

    name: str  # the URL name, in the "export" namespace
    content_type: str
    extension: str
    writer: Writer  # gives text piece by piece when ``streaming``, else a temporary file
    streaming: bool
    limit: Callable[[], int]  # read at each request: the settings EXPORT_MAX_CASES and EXPORT_MAX_BRIEFING_CASES
    stem: str = "案例"  # the file name starts with this, or with ``ascii_stem`` in the ASCII fallback
    ascii_stem: str = "cases"

    @property
    def path(self) -> str:
        return f"{self.ascii_stem}.{self.extension}"


def _max_cases() -> int:
    return settings.EXPORT_MAX_CASES


def _max_briefing_cases() -> int:
    return settings.EXPORT_MAX_BRIEFING_CASES


FORMATS = (
    ExportFormat("cases_csv", "text/csv; charset=utf-8", "csv", csv_writer.write, True, _max_cases),
    ExportFormat(
        "cases_xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        xlsx_writer.write,
        False,
        _max_cases,
    ),
    ExportFormat("cases_json", "application/json; charset=utf-8", "json", json_writer.write, True, _max_cases),
    ExportFormat(
        "briefing_docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        docx_writer.write,
        False,
        _max_briefing_cases,
        stem="简报",
        ascii_stem="briefing",
    ),
)


@require_safe
def export(request: HttpRequest, export_format: ExportFormat) -> HttpResponseBase:
    """The cases the query string asks for (see :func:`.selection.select_cases`) as a file to download.

    A HEAD request (a proxy or download manager looking first) gets the headers of the file, or the
    refusal, without the file being written.
    """
    started = time.monotonic()
    try:
        chosen = selection.select_cases(request.GET, limit=export_format.limit())
        context = ExportContext(request=request, selection=chosen, today=timezone.localdate())
        if request.method == "HEAD":  # no length: the file's is not known until it is written
            response: HttpResponseBase = StreamingHttpResponse((), content_type=export_format.content_type)
        else:
            cases = selection.iter_cases(chosen.ids)
            if not export_format.streaming:  # nothing is sent until the file is whole: it must be whole in time
                cases = _within_time_limit(cases, chosen, started)
            # Either way the response is sent a piece at a time; a file is closed, and so removed, once sent.
            response_class = StreamingHttpResponse if export_format.streaming else FileResponse
            response = response_class(export_format.writer(cases, context), content_type=export_format.content_type)
    except ExportError as error:
        return _refusal(request, error)
    name, ascii_name = chosen.filenames(
        export_format.stem, export_format.ascii_stem, export_format.extension, context.today
    )
    response["Content-Disposition"] = selection.content_disposition(name, ascii_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _refusal(request: HttpRequest, error: ExportError) -> HttpResponse:
    """A page in the site's style saying why nothing was exported, with the way back to the cases."""
    chosen = "case" in request.GET
    params = [(name, value) for name in FILTER_PARAMETERS for value in request.GET.getlist(name)]
    back = reverse("cases:selection") if chosen else f"{reverse('search:search')}?{urlencode(params)}".rstrip("?")
    context = {"error": error, "back": back, "back_label": "返回已选案例" if chosen else "返回检索结果"}
    return render(request, "cases/export_refused.html", context, status=error.status)


def _within_time_limit(cases: Iterable[Case], chosen: selection.Selection, started: float) -> Iterator[Case]:
    """The cases, until the file would not be done within ``EXPORT_TIME_LIMIT`` of ``started`` at the pace so far.

    Then an :class:`ExportError` (503), long before gunicorn would kill the
    worker and the visitor get nothing. The pace is that of the cases written
    (loaded and written chunk by chunk), measured from the first and first
    looked at after ``FIRST_LOOK`` of the limit; what came before the first
    case (the search) counts once. An Excel file is written as its cases
    are read; a Word briefing reads its few cases first, so only their loading
    is timed here.
    """
    total = len(chosen.ids)
    first: float | None = None
    for done, case in enumerate(cases, 1):
        if first is None:
            first = time.monotonic()
        yield case
        if done % CHECK_EVERY or done == total:
            continue
        now = time.monotonic()
        if now - started < settings.EXPORT_TIME_LIMIT * FIRST_LOOK:
            continue
        per_case = (now - first) / done
        projected = now - started + per_case * (total - done + total * FINISHING_SHARE)
        if projected > settings.EXPORT_TIME_LIMIT:
            narrow = "请减少选定的案例" if chosen.chosen else "请用检索词、地区或主题缩小范围"
            raise ExportError(
                503,
                f"这 {total} 个案例预计需要约 {projected:.0f} 秒才能生成，"
                f"超过了 {settings.EXPORT_TIME_LIMIT} 秒的时限。"
                f"{narrow}后分几次导出，或导出 CSV（边生成边下载，不受此限）。",
            )
