from django.urls import path

from config.content_cache import SEARCH_PARAMS, cached_page

from . import (
    api,
    converters,  # noqa: F401 - registers the case_id path converter
)

app_name = "api"
urlpatterns = [
    path("cases/", cached_page(api.case_list, params=SEARCH_PARAMS), name="case_list"),
    path("cases/<case_id:pk>/", cached_page(api.case_detail), name="case_detail"),
    path("regions/", cached_page(api.region_list), name="region_list"),
]
