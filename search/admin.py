from django.contrib import admin

from cases.admin_conflict import ConcurrentEditsAdmin

from .models import SearchText, Synonym


@admin.register(SearchText)
class SearchTextAdmin(admin.ModelAdmin):
    """Read-only, for superusers only: the segmented text is index data, derived from cases and rebuilt on each save.

    Editors never see it, whatever permissions they are given.
    """

    superuser_only = True  # no permission opens it (see config.auth_admin)
    list_display = ["case_title"]
    list_select_related = ["case"]
    readonly_fields = ["case", "title_tokens", "label_tokens", "heading_tokens", "body_tokens"]

    @admin.display(description="案例", ordering="case")
    def case_title(self, text: SearchText) -> str:
        return str(text.case)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Synonym)
class SynonymAdmin(ConcurrentEditsAdmin):
    """Edited by hand; a save applies at the next search, with no reindexing."""

    list_display = ["group", "note", "active", "updated_at"]
    list_display_links = ["group"]
    list_editable = ["active"]
    list_filter = ["active"]
    search_fields = ["words", "note"]
    fields = ["words", "note", "active"]

    @admin.display(description="同义词", ordering="words")
    def group(self, obj: Synonym) -> str:
        return " / ".join(obj.word_list())
