from django.urls import path

from config.content_cache import COMPARE_PARAMS, PAGE_PARAMS, SEARCH_PARAMS, cached_page
from search.views import search

from . import (
    converters,  # noqa: F401 - registers the case_id path converter
    selection_views,
    views,
)

app_name = "cases"
urlpatterns = [
    path("", cached_page(views.home), name="home"),
    path("cases/", cached_page(search, params=SEARCH_PARAMS), name="case_list"),
    path("cases/<case_id:pk>/", cached_page(views.case_detail), name="case_detail"),
    path("cases/<case_id:pk>/cite.ris", views.case_ris, name="case_ris"),
    path("topics/", cached_page(views.topic_list), name="topic_list"),
    path("topics/<slug:slug>/", cached_page(views.topic_detail, params=PAGE_PARAMS), name="topic_detail"),
    path("compare/", cached_page(views.compare, params=COMPARE_PARAMS), name="compare"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("selection/", selection_views.selection_page, name="selection"),
    path("selection/add/", selection_views.selection_add, name="selection_add"),
    path("selection/remove/", selection_views.selection_remove, name="selection_remove"),
    path("selection/clear/", selection_views.selection_clear, name="selection_clear"),
    path("selection/compare/", selection_views.selection_compare, name="selection_compare"),
]
