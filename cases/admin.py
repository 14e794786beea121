from django.contrib import admin

from .models import Case, CaseItem, Collection, Topic


class CaseItemInline(admin.StackedInline):
    model = CaseItem
    extra = 0
    fields = ["section", "position", "heading", "body"]
    ordering = ["section", "position"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "collection", "status", "updated_at"]
    list_display_links = ["number", "title"]
    list_filter = ["collection", "status", "topics"]
    list_select_related = ["collection"]
    search_fields = ["title", "summary", "provider"]
    filter_horizontal = ["regions", "topics"]
    inlines = [CaseItemInline]


@admin.register(CaseItem)
class CaseItemAdmin(admin.ModelAdmin):
    list_display = ["case", "section", "position", "heading"]
    list_filter = ["section", "case__collection"]
    list_select_related = ["case"]
    search_fields = ["heading", "body"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "year", "issuer"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
