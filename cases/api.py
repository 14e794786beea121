"""The JSON API (contract in the design notes): case list with search and facets, case, regions."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from regions.models import Region
from search.facets import all_labels, library_counts
from search.filters import CaseFilter, PageForm
from search.service import Hit, PageOutOfRange, search_page

from .exports.selection import prepared
from .models import Case, CaseItem, Topic

SECTION_KEYS = {
    CaseItem.Section.MEASURE: "measures",
    CaseItem.Section.OUTCOME: "outcomes",
    CaseItem.Section.NEXT_STEP: "next_steps",
}


def _error(status: int, message: str, fields: dict | None = None) -> JsonResponse:
    body = {"error": message}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _labels(regions: Iterable[Region], topics: Iterable[Topic]) -> dict:
    return {
        "regions": [{"slug": r.slug, "name": r.full_name} for r in regions],
        "topics": [{"slug": t.slug, "name": t.name} for t in topics],
    }


def _hit(request: HttpRequest, hit: Hit) -> dict:
    case = hit.case
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "url": request.build_absolute_uri(case.get_absolute_url()),
        **_labels(hit.regions, hit.topics),
        "score": hit.score,
        "snippet": hit.passages[0].html if hit.passages else None,
        "snippet_section": hit.passages[0].section if hit.passages else None,
    }


@require_safe
def case_list(request: HttpRequest) -> JsonResponse:
    filters = CaseFilter(request.GET)
    paging = PageForm(request.GET)
    if not filters.is_valid() or not paging.is_valid():
        fields = {**filters.form.errors.get_json_data(), **paging.errors.get_json_data()}
        return _error(400, "参数无效。", {name: [e["message"] for e in errors] for name, errors in fields.items()})
    try:
        results = search_page(
            filters.search_arguments(),
            page=paging.cleaned_data["page"] or 1,
            page_size=paging.cleaned_data["page_size"] or settings.PAGE_SIZE,
        )
    except PageOutOfRange:
        return _error(404, "没有这一页。")
    return JsonResponse(
        {
            "count": results.count,
            "all_words_count": results.all_word_count,
            "partial_count": results.partial_count,
            "page": results.page,
            "pages": results.pages,
            "fallback": results.fallback,
            "notices": results.query.notices,
            "synonyms": results.synonyms,
            "pinyin": results.pinyin,
            "results": [_hit(request, hit) for hit in results.hits],
            "facets": {
                "region": [value.as_dict() for value in results.region_facet],
                "topic": [value.as_dict() for value in results.topic_facet],
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def case_detail(request: HttpRequest, pk: int) -> JsonResponse:
    case = Case.objects.published().filter(pk=pk).first()
    if case is None:
        return _error(404, "没有这个案例。")
    (case,) = prepared([case])
    return JsonResponse(case_data(request, case), json_dumps_params={"ensure_ascii": False})


def case_data(request: HttpRequest, case: Case) -> dict:
    """A whole case as /api/cases/<id>/ serves it (also each record of the JSON export).

    Expects a case that ``cases.exports.selection.prepared`` gave (with ``labels`` and ``sections``).
    """
    body = {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "provider": case.provider,
        "summary": case.summary,
        "url": request.build_absolute_uri(case.get_absolute_url()),
        **_labels(case.labels.regions, case.labels.topics),
    }
    for section, items in case.sections.items():
        body[SECTION_KEYS[section]] = [
            {"numeral": item.numeral, "heading": item.heading, "body": item.body} for item in items
        ]
    return body


@require_safe
def region_list(request: HttpRequest) -> JsonResponse:
    counts = library_counts().regions  # the facets', counted once per change
    regions, _ = all_labels()
    return JsonResponse(
        [
            {
                "slug": region.slug,
                "name": region.full_name,
                "level": region.level,
                "parent": region.parent.slug if region.parent_id else None,
                "case_count": counts.get(region.pk, 0),
            }
            for region in regions
        ],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )
