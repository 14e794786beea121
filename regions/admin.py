from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cases.admin import BoundedLabelDeletes
from cases.admin_conflict import UnchangedSinceOpened
from cases.services import relabel_refusal
from search.index.documents import LABEL_FIELDS

from .models import Region

# What the index holds of a region: changing any of these reindexes its cases (form fields, without "_id").
INDEXED_FIELDS = {name.removesuffix("_id") for name in LABEL_FIELDS[Region]}


class RegionForm(UnchangedSinceOpened):
    """A rename reindexes the region's cases: refused for more than one request may reindex (see ``relabel``)."""

    class Meta:
        model = Region
        fields = ["name", "short_name", "slug", "level", "parent", "code"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and INDEXED_FIELDS & set(self.changed_data):
            refusal = relabel_refusal([self.instance], f"改动地区“{self.instance.name}”")
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(Region)
class RegionAdmin(BoundedLabelDeletes):
    """Regions are searchable labels of cases: a rename or a delete reindexes their cases (search.index.signals)."""

    form = RegionForm
    list_display = ["name", "short_name", "level", "parent", "code", "slug"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "slug", "code"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("parent")  # str() names a new area by its province
