"""How a case becomes an index document: its searchable fields, their weights and their text.

This is the one place that knows it. Backends read ``FIELDS`` for their columns
and weights, indexing calls :func:`case_field_tokens`; nothing else looks inside
a case to decide what is searchable (in the manner of Wagtail's
``index.SearchField`` declarations).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.db.models import Prefetch

from cases.models import Case, CaseItem, Topic
from regions.models import Region

from .text import document_tokens, names_tokens


def index_prefetches(*, items: bool = True) -> list[Prefetch]:
    """What indexing reads of many cases at once: their regions, topics and items, prefetched into lists.

    Into lists, because Django makes a query set for each case and relation otherwise, which takes
    longer than the queries themselves when thousands of cases are reindexed together.
    """
    prefetches = [
        Prefetch("regions", queryset=Region.objects.select_related("parent"), to_attr=_REGIONS),
        Prefetch("topics", queryset=Topic.objects.all(), to_attr=_TOPICS),
    ]
    return [*prefetches, Prefetch("items", queryset=CaseItem.objects.all(), to_attr=_ITEMS)] if items else prefetches


_REGIONS, _TOPICS, _ITEMS = "indexed_regions", "indexed_topics", "indexed_items"


def case_regions(case: Case) -> list[Region]:
    """The case's regions, from :func:`index_prefetches` when it was read with them."""
    return case.__dict__[_REGIONS] if _REGIONS in case.__dict__ else list(case.regions.all())


def case_topics(case: Case) -> list[Topic]:
    """The case's topics (in their order), from :func:`index_prefetches` when it was read with them."""
    return case.__dict__[_TOPICS] if _TOPICS in case.__dict__ else list(case.topics.all())


def _case_items(case: Case) -> list[CaseItem]:
    return case.__dict__[_ITEMS] if _ITEMS in case.__dict__ else list(case.items.all())


# The fields of a label that its names in the index are made of (see ``Region.full_name``).
LABEL_FIELDS: Mapping[type[Topic] | type[Region], tuple[str, ...]] = {
    Topic: ("name",),
    Region: ("name", "short_name", "level", "parent_id"),
}
LabelKey = tuple[type, int]


def label_state(label: Topic | Region) -> tuple:
    """The ``LABEL_FIELDS`` of one label: a rename is a change of these."""
    return tuple(getattr(label, name) for name in LABEL_FIELDS[type(label)])


def label_fields(case: Case) -> dict[LabelKey, tuple]:
    """The ``LABEL_FIELDS`` of each label the case's index names are made of (its regions' parents too),
    as read with the case."""
    labels: list[Topic | Region] = [*case_topics(case)]
    for region in case_regions(case):
        labels += [region, region.parent] if region.parent_id else [region]
    return {(type(label), label.pk): label_state(label) for label in labels}


def _label_names(case: Case) -> list[str]:
    regions = [name for region in case_regions(case) for name in (region.full_name, region.province.name)]
    return [*dict.fromkeys(regions), *(topic.name for topic in case_topics(case))]


def _labels(case: Case) -> str:
    return " ".join(_label_names(case))


def _items(case: Case) -> list[CaseItem]:
    return sorted(_case_items(case), key=lambda item: (item.section, item.position))


def _headings(case: Case) -> str:
    return "\n".join(item.heading for item in _items(case) if item.heading)


def _bodies(case: Case) -> str:
    return "\n".join([case.summary, *(item.body for item in _items(case) if item.body)])


@dataclass(frozen=True)
class SearchField:
    """One searchable field: its name (a column of the index), its weights and where its text comes from."""

    name: str
    weight_letter: str  # PostgreSQL tsvector weight, A (highest) to D
    boost: float  # SQLite FTS5 bm25 column weight, and the champion lists' field weight
    text: Callable[[Case], str]  # regions, topics and items must be prefetched
    from_items: bool = False  # whether the text is read from the case's items
    # For a text of names separated by spaces: the names, segmented each on its own (see ``text.names_tokens``).
    names: Callable[[Case], list[str]] | None = None

    def tokens(self, case: Case) -> list[str]:
        return names_tokens(self.names(case)) if self.names else document_tokens(self.text(case))


# Title > topics and regions > item headings > summary and bodies.
FIELDS = (
    SearchField("title", "A", 10.0, lambda case: case.title),
    SearchField("label", "B", 4.0, _labels, names=_label_names),
    SearchField("heading", "C", 2.0, _headings, from_items=True),
    SearchField("body", "D", 1.0, _bodies, from_items=True),
)
BOOSTS: Mapping[str, float] = {field.name: field.boost for field in FIELDS}
_FROM_ITEMS = frozenset(field.name for field in FIELDS if field.from_items)


def field_needs_items(name: str) -> bool:
    """Whether the text of this field is read from the case's items (which must then be prefetched)."""
    return name in _FROM_ITEMS


def case_field_texts(case: Case) -> dict[str, str]:
    """The original text of each field (regions, topics and items must be prefetched or cheap)."""
    return {field.name: field.text(case) for field in FIELDS}


def case_field_tokens(case: Case, names: Collection[str] | None = None) -> dict[str, list[str]]:
    """The tokens of each field, or of the fields named (regions, topics and, for some fields, items prefetched)."""
    return {field.name: field.tokens(case) for field in FIELDS if names is None or field.name in names}
