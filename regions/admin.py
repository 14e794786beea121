from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "parent", "code", "slug"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "slug", "code"]
