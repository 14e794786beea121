from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cases.filters import CaseFilter, PageForm

from .service import PageOutOfRange, Sort, search_cases


def search(request: HttpRequest) -> HttpResponse:
    """The search page; without a query it is the browse view of all cases."""
    filters = CaseFilter(request.GET)
    filters.is_valid()  # invalid values are reported on the page and left out
    paging = PageForm(request.GET)
    if not paging.is_valid():
        raise Http404("页码无效。")
    data = filters.form.cleaned_data
    try:
        results = search_cases(
            q=data.get("q") or "",
            regions=data.get("region") or [],
            topics=data.get("topic") or [],
            sort=data.get("sort") or Sort.RELEVANCE,
            page=paging.cleaned_data["page"] or 1,
            page_size=settings.PAGE_SIZE,
        )
    except PageOutOfRange:
        raise Http404("没有这一页。") from None
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "filters": filters,
            "errors": [error for errors in filters.form.errors.values() for error in errors],
            "sort_choices": Sort.CHOICES,
            "current_sort": data.get("sort") or Sort.RELEVANCE,
            "selected_regions": [region.slug for region in data.get("region") or []],
            "selected_topics": [topic.slug for topic in data.get("topic") or []],
        },
    )
