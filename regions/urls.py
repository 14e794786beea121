from django.urls import path

from config.content_cache import PAGE_PARAMS, cached_page

from . import views

app_name = "regions"
urlpatterns = [
    path("", cached_page(views.region_list), name="region_list"),
    path("<slug:slug>/", cached_page(views.region_detail, params=PAGE_PARAMS), name="region_detail"),
]
