from django.urls import path

from config.content_cache import FEED_PARAMS, SEARCH_PARAMS, cached_page

from . import feeds, views

app_name = "search"
urlpatterns = [
    path("search/", cached_page(views.search, params=SEARCH_PARAMS), name="search"),
    path("search/feed/", cached_page(feeds.SearchFeed(), params=FEED_PARAMS), name="feed"),
]
