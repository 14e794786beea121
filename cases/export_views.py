"""Downloads of cases: CSV, Excel, JSON and a Word briefing (the work is done in :mod:`cases.exports`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import exports
from .exports import ExportError, Selection
from .models import Case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error(error: ExportError) -> HttpResponse:
    return HttpResponse(error.as_text(), status=error.status, content_type="text/plain; charset=utf-8")


def _attach(
    response: HttpResponseBase, selection: Selection, stem: str, ascii_stem: str, extension: str
) -> HttpResponseBase:
    name, ascii_name = selection.filenames(stem, ascii_stem, extension, timezone.localdate())
    response["Content-Disposition"] = exports.content_disposition(name, ascii_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _url_for(request: HttpRequest) -> Callable[[Case], str]:
    return lambda case: request.build_absolute_uri(case.get_absolute_url())


@require_GET
def cases_csv(request: HttpRequest) -> HttpResponseBase:
    try:
        selection = exports.select_cases(request.GET)
    except ExportError as error:
        return _error(error)
    lines = exports.csv_lines(exports.iter_cases(selection.ids), _url_for(request))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return _attach(response, selection, "案例", "cases", "csv")


@require_GET
def cases_json(request: HttpRequest) -> HttpResponseBase:
    try:
        selection = exports.select_cases(request.GET)
    except ExportError as error:
        return _error(error)
    chunks = exports.json_chunks(exports.iter_cases(selection.ids), request)
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    return _attach(response, selection, "案例", "cases", "json")


@require_GET
def cases_xlsx(request: HttpRequest) -> HttpResponseBase:
    try:
        selection = exports.select_cases(request.GET)
    except ExportError as error:
        return _error(error)
    content = exports.xlsx_bytes(exports.iter_cases(selection.ids), _url_for(request))
    return _attach(HttpResponse(content, content_type=XLSX), selection, "案例", "cases", "xlsx")


@require_GET
def briefing_docx(request: HttpRequest) -> HttpResponseBase:
    try:
        selection = exports.select_cases(request.GET, limit=exports.MAX_BRIEFING_CASES)
    except ExportError as error:
        return _error(error)
    content = exports.docx_bytes(
        exports.iter_cases(selection.ids),
        count=len(selection.ids),
        collections=exports.collection_titles(selection.ids),
        today=timezone.localdate(),
        q=selection.q,
    )
    return _attach(HttpResponse(content, content_type=DOCX), selection, "简报", "briefing", "docx")
