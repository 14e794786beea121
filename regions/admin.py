from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are searchable labels of cases: a rename or a delete reindexes their cases (search.index.signals)."""

    list_display = ["name", "short_name", "level", "parent", "code", "slug"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "slug", "code"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("parent")  # str() names a new area by its province
