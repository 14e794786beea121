"""Facet counts over the current results.

Each family is counted with the other family's filters applied but not its
own (disjunctive faceting): ticking a second province widens the result, so
the province counts must not shrink to the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from cases.models import Case, Topic
from regions.models import Region


@dataclass
class FacetValue:
    slug: str
    name: str
    count: int
    selected: bool = False
    children: list[FacetValue] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "count": self.count}


def region_facet(cases: QuerySet[Case], selected: set[str]) -> list[FacetValue]:
    """Provinces with their cities and new areas, each with the number of matching cases."""
    counts = Region.objects.case_counts(cases)
    regions = Region.objects.filter(pk__in=list(counts)) | Region.objects.filter(slug__in=selected)
    provinces: dict[int, FacetValue] = {}
    children: list[tuple[int, FacetValue]] = []
    for region in regions.select_related("parent").order_by("code", "slug"):
        value = FacetValue(region.slug, region.full_name, counts.get(region.pk, 0), region.slug in selected)
        if region.parent_id:
            children.append((region.parent_id, value))
        else:
            provinces[region.pk] = value
    for parent_id, child in children:
        if parent_id in provinces:
            provinces[parent_id].children.append(child)
    return sorted(provinces.values(), key=lambda value: -value.count)


def topic_facet(cases: QuerySet[Case], selected: set[str]) -> list[FacetValue]:
    counts = dict(
        Case.topics.through.objects.filter(case__in=cases.values("pk"))
        .values_list("topic_id")
        .annotate(count=Count("pk"))  # one link row per (case, topic)
    )
    return [
        FacetValue(topic.slug, topic.name, counts.get(topic.pk, 0), topic.slug in selected)
        for topic in Topic.objects.all()
        if counts.get(topic.pk) or topic.slug in selected
    ]
