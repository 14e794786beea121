"""Facet counts over the current results.

Each family is counted with the other family's filters applied but not its
own (disjunctive faceting): ticking a second province widens the result, so
the province counts must not shrink to the first one.

The database answers one grouped query: how many matching published cases
share each combination of regions and topics (see ``FacetSet``). The result
count and both families' counts follow from those groups here, whatever the
filters, so a search counts its matches once.

The groups of the whole library (browsing without words, the home page, the
region and topic pages) are the same for every request until something
changes, so they are kept in Django's cache under the content version, like
the labels: a large library is counted once per change, not once per page.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection

from cases.models import Case, Collection, Topic
from regions.models import Region

from .index.backends import Group, get_backend
from .index.rows import placeholders
from .index.version import cached_for_version


@dataclass
class FacetValue:
    slug: str
    name: str
    count: int
    selected: bool = False
    children: list[FacetValue] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The value as the API gives it; a province with its cities and new areas under ``children``."""
        value = {"slug": self.slug, "name": self.name, "count": self.count}
        if self.children:
            value["children"] = [child.as_dict() for child in self.children]
        return value


@dataclass
class FacetCounts:
    total: int  # cases passing both families' filters: the result count
    regions: dict[int, int]  # a province counts the cases of its cities and new areas once
    topics: dict[int, int]


@functools.lru_cache(maxsize=65536)
def _ids(key: str) -> frozenset[int]:
    return frozenset(int(pk) for pk in key.split())


def all_labels() -> tuple[list[Region], list[Topic]]:
    """Every region (with its parent) and topic, in display order.

    Kept in Django's cache under the content version (saving a region or topic
    bumps it, see ``search.index.signals``), for at most ``version.VERSIONED_SECONDS``.
    """
    return cached_for_version("facet-labels", _load_labels)


def _load_labels() -> tuple[list[Region], list[Topic]]:
    return list(Region.objects.select_related("parent")), list(Topic.objects.all())


def all_collections() -> list[Collection]:
    """Every collection, in display order; cached like the labels (saving a collection bumps the version)."""
    return cached_for_version("collections", lambda: list(Collection.objects.all()))


def library_groups() -> list[Group]:
    """The facet groups of every published case; cached under the content version (see the module's docstring)."""
    return cached_for_version("facet-groups", lambda: get_backend().facet_groups(None))


def library_counts() -> FacetCounts:
    """How many published cases there are, and in each region (a province with its cities) and topic; cached."""
    return cached_for_version("facet-counts", lambda: Facets((), ()).count(library_groups()))


@dataclass(frozen=True)
class CaseLabels:
    """A case's regions (their parents known) and topics, in display order."""

    regions: list[Region]
    topics: list[Topic]


def labelled(cases: Iterable[Case], labels: tuple[list[Region], list[Topic]] | None = None) -> list[Case]:
    """The cases, each with ``labels`` (:class:`CaseLabels`) from the link tables: one narrow query.

    The regions and topics themselves are the cached labels (or ``labels``, from
    :func:`all_labels`); prefetching both relations would cost several times as
    much for a page of cases.
    """
    cases = list(cases)
    ids = [case.pk for case in cases]
    regions_of: dict[int, set[int]] = {pk: set() for pk in ids}
    topics_of: dict[int, set[int]] = {pk: set() for pk in ids}
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_links_sql(len(ids)), ids * 2)
            for case_id, region_id, topic_id in cursor.fetchall():
                if region_id is None:
                    topics_of[case_id].add(topic_id)
                else:
                    regions_of[case_id].add(region_id)
    regions, topics = labels or all_labels()
    regions_by_id = [(region.pk, region) for region in regions]  # in display order
    topics_by_id = [(topic.pk, topic) for topic in topics]
    for case in cases:
        mine, theirs = regions_of[case.pk], topics_of[case.pk]
        case.labels = CaseLabels(
            [region for pk, region in regions_by_id if pk in mine],
            [topic for pk, topic in topics_by_id if pk in theirs],
        )
    return cases


def with_descendants(chosen: set[int]) -> set[int]:
    """These regions' ids and those of every region under them."""
    if not chosen:
        return set()
    regions, _ = all_labels()
    return chosen | {region.pk for region in regions if region.parent_id in chosen}


@functools.lru_cache(maxsize=128)
def _links_sql(count: int) -> str:
    """(case id, region id, None) and (case id, None, topic id) of ``count`` cases: both link tables in one
    statement, written once for each number of cases."""
    quote = connection.ops.quote_name
    parts = []
    for relation, label in ((Case.regions.field, "region"), (Case.topics.field, "topic")):
        link = relation.remote_field.through._meta
        case, other = (quote(link.get_field(name).column) for name in ("case", label))
        chosen = f"{other}, NULL" if label == "region" else f"NULL, {other}"
        parts.append(f"SELECT {case}, {chosen} FROM {quote(link.db_table)} WHERE {case} IN ({placeholders(count)})")
    return " UNION ALL ".join(parts)


class Facets:
    """The regions and topics the counts refer to, with the filters chosen among them."""

    def __init__(self, regions: Sequence[Region], topics: Sequence[Topic]) -> None:
        self.selected_regions = {region.slug for region in regions}
        self.selected_topics = {topic.slug for topic in topics}
        self.chosen_regions = {region.pk for region in regions}
        self.topic_filter = {topic.pk for topic in topics}

    @functools.cached_property
    def _regions_and_topics(self) -> tuple[list[Region], list[Topic]]:
        return all_labels()

    @property
    def all_regions(self) -> list[Region]:
        return self._regions_and_topics[0]

    @property
    def all_topics(self) -> list[Topic]:
        return self._regions_and_topics[1]

    @functools.cached_property
    def province_of(self) -> dict[int, int]:
        return {region.pk: region.parent_id or region.pk for region in self.all_regions}

    @functools.cached_property
    def region_filter(self) -> set[int]:
        """The chosen regions' ids, a province standing for itself and everything under it."""
        return with_descendants(self.chosen_regions)

    def labels(self, keys: Mapping[int, tuple[str | None, str | None]]) -> dict[int, tuple[list[Region], list[Topic]]]:
        """Each case's regions and topics in display order, from its facet set's keys (read with the case, see
        ``FacetSet``); none for a case not indexed yet (None)."""
        regions, topics = self._in_display_order
        return {
            case_id: (
                [region for _, region in sorted(regions[pk] for pk in _ids(region_key or "") if pk in regions)],
                [topic for _, topic in sorted(topics[pk] for pk in _ids(topic_key or "") if pk in topics)],
            )
            for case_id, (region_key, topic_key) in keys.items()
        }

    @functools.cached_property
    def _in_display_order(self) -> tuple[dict[int, tuple[int, Region]], dict[int, tuple[int, Topic]]]:
        """Each region's and topic's (place in display order, itself), by id."""
        return (
            {region.pk: (place, region) for place, region in enumerate(self.all_regions)},
            {topic.pk: (place, topic) for place, topic in enumerate(self.all_topics)},
        )

    def count(self, groups: Iterable[Group]) -> FacetCounts:
        """The result count and both families' counts from the groups.

        A large library has thousands of groups but few distinct region and
        topic combinations: the groups are summed by combination first, and
        each combination is looked at once. The sums are kept in ``defaultdict``
        (a ``Counter`` adds up twice as slowly).
        """
        total = 0
        by_regions: defaultdict[str, int] = defaultdict(int)  # the groups that pass the topic filter, by regions
        by_topics: defaultdict[str, int] = defaultdict(int)  # the groups that pass the region filter, by topics
        passes_regions: dict[str, bool] = {}
        passes_topics: dict[str, bool] = {}
        for region_key, topic_key, number in groups:
            in_regions = passes_regions.get(region_key)
            if in_regions is None:
                in_regions = passes_regions[region_key] = (
                    not self.selected_regions or not self.region_filter.isdisjoint(_ids(region_key))
                )
            in_topics = passes_topics.get(topic_key)
            if in_topics is None:
                in_topics = passes_topics[topic_key] = not self.selected_topics or not self.topic_filter.isdisjoint(
                    _ids(topic_key)
                )
            if in_regions and in_topics:
                total += number
            if in_topics:
                by_regions[region_key] += number
            if in_regions:
                by_topics[topic_key] += number
        regions: defaultdict[int, int] = defaultdict(int)
        topics: defaultdict[int, int] = defaultdict(int)
        for region_key, number in by_regions.items():
            region_ids = _ids(region_key)
            for pk in region_ids | {self.province_of.get(pk, pk) for pk in region_ids}:  # a province once
                regions[pk] += number
        for topic_key, number in by_topics.items():
            for pk in _ids(topic_key):
                topics[pk] += number
        return FacetCounts(total, dict(regions), dict(topics))

    def region_facet(self, counts: FacetCounts) -> list[FacetValue]:
        """Provinces with their cities and new areas, each with the number of matching cases.

        A region is shown when it has matches or is ticked; a province also when one of its
        regions is shown, so a ticked city can always be unticked.
        """
        shown = {
            region.pk
            for region in self.all_regions
            if counts.regions.get(region.pk) or region.slug in self.selected_regions
        }
        shown |= {self.province_of[pk] for pk in shown}
        values = {
            region.pk: FacetValue(
                region.slug, region.full_name, counts.regions.get(region.pk, 0), region.slug in self.selected_regions
            )
            for region in self.all_regions  # in code order
            if region.pk in shown
        }
        for region in self.all_regions:
            if region.parent_id and region.pk in values:
                values[region.parent_id].children.append(values[region.pk])
        provinces = [values[pk] for pk in values if self.province_of[pk] == pk]
        return sorted(provinces, key=lambda value: -value.count)

    def topic_facet(self, counts: FacetCounts) -> list[FacetValue]:
        return [
            FacetValue(topic.slug, topic.name, counts.topics.get(topic.pk, 0), topic.slug in self.selected_topics)
            for topic in self.all_topics
            if counts.topics.get(topic.pk) or topic.slug in self.selected_topics
        ]
