"""An Atom feed of every search and filter combination: follow a search, see new cases as they are added."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from cases.models import Case

from .facets import labelled
from .filters import CaseFilter
from .service import Sort, planned_search
from .views import ActiveFilters, with_query

FEED_SIZE = 50


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
        arguments = dataclasses.replace(filters.search_arguments(), sort=Sort.NEWEST)
        with planned_search(arguments) as plan:
            # The cases with every word; only when none has them all, those with some of them (counted first).
            listed = (plan.all_word_count or plan.total) if plan.query.can_widen else FEED_SIZE
            ids = [pk for pk, _ in plan.ranked(limit=min(FEED_SIZE, listed))]
        found = Case.objects.in_bulk(ids)
        labelled(found.values())  # the topics for the categories, from the cached labels
        return FollowedSearch(filters=ActiveFilters.of(arguments), cases=[found[pk] for pk in ids if pk in found])

    def title(self, obj: FollowedSearch) -> str:
        return obj.filters.feed_title()

    def subtitle(self, obj: FollowedSearch) -> str:
        return f"包含全部检索词的案例（没有时，包含部分检索词的案例），按收录时间由新到旧，最多 {FEED_SIZE} 个。"

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
        return [topic.name for topic in item.labels.topics]
