"""Validation of the browse and search parameters shared by the pages and the JSON API."""

from __future__ import annotations

import django_filters
from django import forms

from cases.models import Case, Topic
from regions.models import Region

from .index.text import CONTROL_CHARACTERS
from .service import Sort


class QueryField(forms.CharField):
    """The search box: NUL and other control characters are dropped, not an error."""

    def to_python(self, value):
        value = super().to_python(value)
        return CONTROL_CHARACTERS.sub(" ", value) if value else value


class QueryFilter(django_filters.CharFilter):
    field_class = QueryField


class CaseFilter(django_filters.FilterSet):
    """``q``, ``region`` and ``topic`` (each may repeat: any of them), and ``sort``.

    Filtering itself is done by :func:`search.service.search_cases`, which needs
    the families separately for facet counts; this set validates the input.
    """

    q = QueryFilter(label="检索词", method="keep", strip=True)
    region = django_filters.ModelMultipleChoiceFilter(
        label="地区",
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="keep",
        error_messages={"invalid_choice": "没有标识为“%(value)s”的地区。"},
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        label="主题",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        method="keep",
        error_messages={"invalid_choice": "没有标识为“%(value)s”的主题。"},
    )
    sort = django_filters.ChoiceFilter(label="排序", choices=Sort.CHOICES, method="keep", empty_label=None)

    class Meta:
        model = Case
        fields: list[str] = []

    def keep(self, queryset, name, value):
        return queryset

    def search_arguments(self) -> dict:
        """The valid parameters as keyword arguments of ``search_cases`` (invalid ones left out)."""
        data = self.form.cleaned_data
        return {
            "q": data.get("q") or "",
            "regions": list(data.get("region") or []),
            "topics": list(data.get("topic") or []),
            "sort": data.get("sort") or Sort.RELEVANCE,
        }


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False, error_messages={"invalid": "页码须为正整数。"})
    page_size = forms.IntegerField(min_value=1, max_value=100, required=False)
