from django.urls import path

from config.content_cache import cached_page

from . import views

app_name = "search"
urlpatterns = [
    path("search/", cached_page(views.search), name="search"),
]
