from django.contrib import admin

from .models import SearchText


@admin.register(SearchText)
class SearchTextAdmin(admin.ModelAdmin):
    """Read-only: the segmented text is derived from cases and rebuilt on every save."""

    list_display = ["case"]
    list_select_related = ["case"]
    readonly_fields = ["case", "title_tokens", "label_tokens", "heading_tokens", "body_tokens"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
