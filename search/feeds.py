"""An Atom feed of every search and filter combination: follow a search, see new cases as they are added."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from cases.models import Case

from .filters import CaseFilter
from .service import Sort, ranked_case_ids
from .views import ActiveFilters, with_query

FEED_SIZE = 50
NEWEST_FIRST = ("-created_at", "-collection__year", "-number", "-pk")
# Up to this many matches are ordered by the database in one query by id; more
# are found by reading all published cases newest first until enough match.
FEW_MATCHES = 1000


class InvalidFeedParameters(Exception):
    pass


@dataclass(frozen=True)
class FollowedSearch:
    filters: ActiveFilters
    cases: list[Case]


class SearchFeed(Feed):
    """The newest published cases of a search (at most :data:`FEED_SIZE`), whatever the page's sort.

    The parameters are those of the search page; an unknown region or topic is
    a 400, not ignored as on the page, so that a subscription never quietly
    follows a different search from the one it names.
    """

    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFeedParameters as error:
            return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")

    def get_object(self, request: HttpRequest, *args, **kwargs) -> FollowedSearch:
        filters = CaseFilter(request.GET)
        if not filters.is_valid():
            problems = [error for errors in filters.form.errors.values() for error in errors]
            raise InvalidFeedParameters("订阅参数无效：" + " ".join(problems))
        arguments = filters.search_arguments()
        # All the matches in the cheapest order; the feed picks the newest of them.
        ids = ranked_case_ids(**{**arguments, "sort": Sort.NUMBER}, limit=max(1, Case.objects.published().count()))
        return FollowedSearch(filters=ActiveFilters.of(filters), cases=newest_cases(ids, limit=FEED_SIZE))

    def title(self, obj: FollowedSearch) -> str:
        return obj.filters.feed_title()

    def subtitle(self, obj: FollowedSearch) -> str:
        return f"符合条件的案例，按收录时间由新到旧，最多 {FEED_SIZE} 个。"

    def link(self, obj: FollowedSearch) -> str:
        return with_query(reverse("search:search"), obj.filters.params(sort=False))

    def feed_url(self, obj: FollowedSearch) -> str:
        return obj.filters.feed_url()

    def items(self, obj: FollowedSearch) -> list[Case]:
        return obj.cases

    def item_title(self, item: Case) -> str:
        return str(item)  # an Atom title is plain text

    def item_description(self, item: Case) -> str:
        return escape(item.summary)  # an Atom summary of type html

    def item_link(self, item: Case) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Case) -> str:
        return item.provider

    def item_pubdate(self, item: Case) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Case) -> datetime:
        return item.updated_at

    def item_categories(self, item: Case) -> list[str]:
        return [topic.name for topic in item.topics.all()]


def newest_cases(ids: Sequence[int], *, limit: int) -> list[Case]:
    """The newest ``limit`` published cases among ``ids``: by creation, then collection year and number."""
    newest = Case.objects.published().order_by(*NEWEST_FIRST).values_list("pk", flat=True)
    if len(ids) <= FEW_MATCHES:
        chosen = list(newest.filter(pk__in=ids)[:limit])
    else:
        wanted = set(ids)
        chosen = list(itertools.islice((pk for pk in newest.iterator(chunk_size=2000) if pk in wanted), limit))
    cases = Case.objects.select_related("collection").prefetch_related("topics").in_bulk(chosen)
    return [cases[pk] for pk in chosen if pk in cases]
