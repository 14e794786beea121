from django.contrib import admin

from .models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """Read-only: the index is derived from cases and rebuilt on every save."""

    list_display = ["case", "updated_at"]
    list_select_related = ["case"]
    readonly_fields = ["case", "title_tokens", "label_tokens", "heading_tokens", "body_tokens", "updated_at"]
    exclude = ["vector"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
