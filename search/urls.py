from django.urls import path
from django.views.generic import TemplateView

from config.content_cache import FEED_PARAMS, SEARCH_PARAMS, SUGGEST_PARAMS, cached_page

from . import feeds, suggest, views
from .service import PARTIAL_LIMIT

app_name = "search"
urlpatterns = [
    path("search/", cached_page(views.search, params=SEARCH_PARAMS), name="search"),
    path("search/feed/", cached_page(feeds.SearchFeed(), params=FEED_PARAMS), name="feed"),
    path(
        "search/help/",
        TemplateView.as_view(template_name="search/help.html", extra_context={"partial_limit": PARTIAL_LIMIT}),
        name="help",
    ),
    path("api/suggest/", cached_page(suggest.suggest, params=SUGGEST_PARAMS), name="suggest"),
]
