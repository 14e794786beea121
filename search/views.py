from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from cases.models import Topic
from regions.models import Region

from .filters import CaseFilter, PageForm
from .service import PageOutOfRange, SearchArguments, Sort, search_page

SITE_NAME = "试点最佳实践案例库"
UNFILTERED = "全部案例"
QUERY_SHOWN = 40  # characters of the query named in headings and chips; the search box keeps all of it


@dataclass(frozen=True)
class Chip:
    """One active filter as shown above the results, with the address of the page without it."""

    kind: str  # 检索词, 地区 or 主题
    label: str
    remove_url: str


@dataclass(frozen=True)
class ActiveFilters:
    """The valid filters of a request: what the chips, the heading and the feed name, and their addresses.

    Built from validated values only, so an unknown region or a stray parameter
    is never written back into a link.
    """

    q: str = ""
    regions: list[Region] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    sort: str = ""  # only when asked for; the default needs no parameter

    @classmethod
    def of(cls, arguments: SearchArguments) -> ActiveFilters:
        """The filters of validated search arguments."""
        return cls(
            q=arguments.q.strip(),
            regions=list(arguments.regions),
            topics=list(arguments.topics),
            sort="" if arguments.sort == Sort.RELEVANCE else arguments.sort,
        )

    @property
    def any(self) -> bool:
        return bool(self.q or self.regions or self.topics)

    @property
    def names(self) -> list[str]:
        """The query in quotes, then the regions and topics: “融资”, 湖北省, 金融服务."""
        query = [quoted(self.q)] if self.q else []
        return [*query, *(region.full_name for region in self.regions), *(topic.name for topic in self.topics)]

    def heading(self, count: int) -> str:
        """``浙江省 · 金融服务 · 12 个案例``; without a filter, ``全部案例``."""
        return " · ".join([*self.names, f"{count} 个案例"]) if self.any else UNFILTERED

    def feed_title(self) -> str:
        return f"{' · '.join(self.names) if self.any else UNFILTERED} - {SITE_NAME}"

    def params(self, *, sort: bool = True) -> list[tuple[str, str]]:
        """The filters as query parameters, in the order the page's own links use."""
        params = [("q", self.q)] if self.q else []
        params += [("region", region.slug) for region in self.regions]
        params += [("topic", topic.slug) for topic in self.topics]
        if sort and self.sort:
            params.append(("sort", self.sort))
        return params

    def chips(self, path: str) -> list[Chip]:
        """A chip for the query and each region and topic; each removes just itself and goes back to page 1."""
        chosen = [("q", self.q, "检索词", quoted(self.q))] if self.q else []
        chosen += [("region", region.slug, "地区", region.full_name) for region in self.regions]
        chosen += [("topic", topic.slug, "主题", topic.name) for topic in self.topics]
        params = self.params()
        return [
            Chip(kind=kind, label=label, remove_url=with_query(path, [p for p in params if p != (key, value)]))
            for key, value, kind, label in chosen
        ]

    def feed_url(self) -> str:
        return with_query(reverse("search:feed"), self.params(sort=False))


def shorten(text: str, limit: int = QUERY_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(q: str) -> str:
    """The query in Chinese quotes, shortened; a query typed as one quoted phrase keeps its own quotes."""
    if len(q) > 2 and q[0] in '“"' and q[-1] in '”"' and not any(mark in q[1:-1] for mark in '“”"'):
        return f"“{shorten(q[1:-1])}”"
    return f"“{shorten(q)}”"


def with_query(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


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
    active = ActiveFilters.of(arguments)
    if filters.form.errors:
        # The page's links (facets, sorting, exports, pages) repeat what was understood, not the values left out.
        understood = [*active.params(), *(("collection", collection.slug) for collection in arguments.collections)]
        if paging.cleaned_data["page"]:
            understood.append(("page", str(paging.cleaned_data["page"])))
        request.GET = QueryDict(urlencode(understood))
    response = render(
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
            "heading": active.heading(results.count),
            "chips": active.chips(request.path),
            "facet_filters": len(active.regions) + len(active.topics),
            "clear_url": request.path if active.any else "",
            "feed_url": active.feed_url(),
            "feed_title": active.feed_title(),
            "max_export_cases": settings.EXPORT_MAX_CASES,
            "max_briefing_cases": settings.EXPORT_MAX_BRIEFING_CASES,
        },
    )
    if filters.form.errors:  # a page of what was left of the request: not one to keep for others
        patch_cache_control(response, no_store=True)
    return response
