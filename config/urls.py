from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("cases.api_urls")),
    path("export/", include("cases.export_urls")),
    path("", include("search.urls")),
    path("regions/", include("regions.urls")),
    path("", include("cases.urls")),
]
