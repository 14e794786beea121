from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .views import healthz

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("cases.api_urls")),
    path("export/", include("cases.exports.urls")),
    path("", include("search.urls")),
    path("regions/", include("regions.urls")),
    path("", include("cases.urls")),
]
