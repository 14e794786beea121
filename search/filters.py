"""Validating and filtering the browse and search parameters, for the pages, the JSON API and the exports.

``CaseFilter`` is a django-filter ``FilterSet``: its region, topic and
collection filters do the filtering (a province stands for itself and its
cities and new areas; several values of one family mean any of them). The
search words and the order are fields of its form (:class:`SearchForm`), used by
the planner in :mod:`search.service` rather than by a queryset filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import models

from cases.models import Case, Collection, Topic
from regions.models import Region

from .facets import all_collections, all_labels, with_descendants
from .index.text import CONTROL_CHARACTERS


class Sort(models.TextChoices):
    RELEVANCE = "relevance", "相关度"
    NUMBER = "number", "案例编号"
    NEWEST = "newest", "最新收录"


@dataclass(frozen=True)
class SearchArguments:
    """A validated search: the words as typed, the chosen regions, topics and collections, and the order."""

    q: str = ""
    regions: tuple[Region, ...] = ()
    topics: tuple[Topic, ...] = ()
    collections: tuple[Collection, ...] = ()
    sort: Sort = Sort.RELEVANCE

    @property
    def is_filtered(self) -> bool:
        return bool(self.regions or self.topics or self.collections)


class QueryField(forms.CharField):
    """The search box: NUL and other control characters are dropped, not an error."""

    def to_python(self, value):
        value = super().to_python(value)
        return CONTROL_CHARACTERS.sub(" ", value).strip() if value else value


class SearchForm(forms.Form):
    """The fields of a search besides the filters: the words and the order."""

    q = QueryField(label="检索词", required=False, strip=True)
    sort = forms.ChoiceField(
        label="排序",
        choices=Sort.choices,
        required=False,
        error_messages={"invalid_choice": f"没有“%(value)s”这种排序方式，可以按{'、'.join(Sort.labels)}排序。"},
    )


def in_regions(cases: models.QuerySet[Case], regions: Sequence[Region]) -> models.QuerySet[Case]:
    """A province includes its cities and new areas; the ids are spelled out, so PostgreSQL can estimate them."""
    wanted = sorted(with_descendants({region.pk for region in regions}))
    links = Case.regions.through.objects.filter(region_id__in=wanted)
    return cases.filter(pk__in=links.values("case_id"))


def in_collections(cases: models.QuerySet[Case], collections: Sequence[Collection]) -> models.QuerySet[Case]:
    return cases.filter(collection_id__in=sorted(collection.pk for collection in collections))


class SlugsField(forms.Field):
    """Slugs of one family of labels (the parameter may repeat), each looked up among ``labels()``: what it names,
    in display order, repeats dropped; an unknown slug is named in the error.

    The labels are the cached ones (``search.facets``), so validating asks the
    database nothing, and the field holds no queryset to copy for each request.
    """

    widget = forms.SelectMultiple  # every value of the parameter

    def __init__(self, *, labels: Callable[[], Sequence[models.Model]], noun: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.labels = labels
        self.error_messages["invalid_choice"] = f"没有标识为“%(value)s”的{noun}。"

    def clean(self, value) -> list[models.Model]:
        slugs = [str(slug) for slug in value or ()]
        if not slugs:
            return []
        labels = self.labels()
        places = {label.slug: place for place, label in enumerate(labels)}
        for slug in slugs:
            if slug not in places:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": slug}
                )
        return [labels[places[slug]] for slug in sorted(set(slugs), key=places.__getitem__)]


class LabelFilter(django_filters.Filter):
    """A filter of one family chosen by slug. It validates; ``CaseFilter.cases_for`` applies what it chose."""

    field_class = SlugsField


def by_slug(noun: str, labels: Callable[[], Sequence[models.Model]]) -> LabelFilter:
    return LabelFilter(label=noun, labels=labels, noun=noun)


class CaseFilter(django_filters.FilterSet):
    """``q``, ``region``, ``topic`` and ``collection`` (each of the three may repeat: any of them), and ``sort``.

    Invalid values are reported in ``form.errors`` and left out of the search.
    """

    region = by_slug("地区", lambda: all_labels()[0])
    topic = by_slug("主题", lambda: all_labels()[1])
    collection = by_slug("案例集", all_collections)

    class Meta:
        model = Case
        fields: list[str] = []
        form = SearchForm

    def get_form_class(self) -> type[forms.Form]:
        """Made once: a form copies its class's fields for each request, so the class can be shared."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_queryset(self, queryset: models.QuerySet[Case]) -> models.QuerySet[Case]:
        """The filters of the valid values (see ``cases_for``); the words and the order are the planner's."""
        return self.cases_for(self.search_arguments(), queryset)

    def search_arguments(self) -> SearchArguments:
        """The valid parameters (invalid ones left out); call ``is_valid()`` first."""
        data = self.form.cleaned_data
        return SearchArguments(
            q=data.get("q") or "",
            regions=tuple(data.get("region") or ()),
            topics=tuple(data.get("topic") or ()),
            collections=tuple(data.get("collection") or ()),
            sort=Sort(data.get("sort") or Sort.RELEVANCE),
        )

    @staticmethod
    def cases_for(arguments: SearchArguments, cases: models.QuerySet[Case] | None = None) -> models.QuerySet[Case]:
        """The cases (any status; of ``cases``, else all) passing the filters of already validated ``arguments``.

        Needs no filter set: making one copies every filter and form field.
        """
        cases = Case.objects.all() if cases is None else cases
        if arguments.regions:
            cases = in_regions(cases, list(arguments.regions))
        if arguments.topics:
            cases = cases.with_topics(arguments.topics)
        if arguments.collections:
            cases = in_collections(cases, list(arguments.collections))
        return cases


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False, error_messages={"invalid": "页码须为正整数。"})
    page_size = forms.IntegerField(min_value=1, max_value=100, required=False)
