from django.urls import path

from config.content_cache import cached_page

from . import feeds, views

app_name = "search"
urlpatterns = [
    path("search/", cached_page(views.search), name="search"),
    path("search/feed/", cached_page(feeds.SearchFeed()), name="feed"),
]
