"""How a case becomes an index document: its searchable fields, their weights and their text.

This is the one place that knows it. Backends read ``FIELDS`` for their columns
and weights, indexing calls :func:`case_field_tokens`; nothing else looks inside
a case to decide what is searchable (in the manner of Wagtail's
``index.SearchField`` declarations).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cases.models import Case

from .text import document_tokens


def _labels(case: Case) -> str:
    regions = [name for region in case.regions.all() for name in (region.full_name, region.province.name)]
    return " ".join([*dict.fromkeys(regions), *(topic.name for topic in case.topics.all())])


def _items(case: Case):
    return sorted(case.items.all(), key=lambda item: (item.section, item.position))


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


# Title > topics and regions > item headings > summary and bodies.
FIELDS = (
    SearchField("title", "A", 10.0, lambda case: case.title),
    SearchField("label", "B", 4.0, _labels),
    SearchField("heading", "C", 2.0, _headings),
    SearchField("body", "D", 1.0, _bodies),
)
BOOSTS: Mapping[str, float] = {field.name: field.boost for field in FIELDS}


def case_field_texts(case: Case) -> dict[str, str]:
    """The original text of each field (regions, topics and items must be prefetched or cheap)."""
    return {field.name: field.text(case) for field in FIELDS}


def case_field_tokens(case: Case) -> dict[str, list[str]]:
    return {name: document_tokens(text) for name, text in case_field_texts(case).items()}
