"""Paging of the browse lists (topic and region pages): a page of at most ``PAGE_SIZE`` cases, a bad page a 404."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest


def page_of(request: HttpRequest, items, *, per_page: int | None = None, count: int | None = None) -> Page:
    """The page of ``items`` that ``?page=`` asks for (the first without it); the list is read one page at a time.

    ``count``, when the caller knows it, saves counting ``items`` in the database.
    """
    paginator = Paginator(items, per_page or settings.PAGE_SIZE, orphans=3)
    if count is not None:
        paginator.count = count  # a cached property: the paginator reads this instead of asking
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("没有这一页。") from None
