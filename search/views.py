from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .filters import CaseFilter, PageForm
from .service import PageOutOfRange, Sort, search_page


def search(request: HttpRequest) -> HttpResponse:
    """The search page; without a query it is the browse view of all cases."""
    filters = CaseFilter(request.GET)
    filters.is_valid()  # invalid values are reported on the page and left out
    paging = PageForm(request.GET)
    if not paging.is_valid():
        raise Http404("页码无效。")
    arguments = filters.search_arguments()
    try:
        results = search_page(arguments, page=paging.cleaned_data["page"] or 1, page_size=settings.PAGE_SIZE)
    except PageOutOfRange:
        raise Http404("没有这一页。") from None
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "filters": filters,
            "errors": [error for errors in filters.form.errors.values() for error in errors],
            "sort_choices": Sort.choices,
            "current_sort": arguments.sort,
            "selected_regions": [region.slug for region in arguments.regions],
            "selected_topics": [topic.slug for topic in arguments.topics],
        },
    )
