from django.urls import path

from config.content_cache import SEARCH_PARAMS, cached_page

from . import api

app_name = "api"
urlpatterns = [
    path("cases/", cached_page(api.case_list, params=SEARCH_PARAMS), name="case_list"),
    path("cases/<int:pk>/", cached_page(api.case_detail), name="case_detail"),
    path("regions/", cached_page(api.region_list), name="region_list"),
]
