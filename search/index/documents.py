"""What of a case is searchable, field by field, with the weight of each field."""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Case

from .text import document_tokens


@dataclass(frozen=True)
class Field:
    name: str
    weight_letter: str  # PostgreSQL tsvector weight
    bm25_weight: float  # SQLite FTS5 column weight


# Title > topics and regions > item headings > summary and bodies.
FIELDS = (
    Field("title", "A", 10.0),
    Field("label", "B", 4.0),
    Field("heading", "C", 2.0),
    Field("body", "D", 1.0),
)


def case_field_texts(case: Case) -> dict[str, str]:
    """The original text of each field (regions, topics and items must be prefetched or cheap)."""
    regions = [name for region in case.regions.all() for name in (region.full_name, region.province.name)]
    items = sorted(case.items.all(), key=lambda item: (item.section, item.position))
    return {
        "title": case.title,
        "label": " ".join([*dict.fromkeys(regions), *(topic.name for topic in case.topics.all())]),
        "heading": "\n".join(item.heading for item in items if item.heading),
        "body": "\n".join([case.summary, *(item.body for item in items if item.body)]),
    }


def case_field_tokens(case: Case) -> dict[str, list[str]]:
    return {name: document_tokens(text) for name, text in case_field_texts(case).items()}
