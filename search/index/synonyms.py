"""Synonyms at query time: the curated groups of ``search.models.Synonym``.

A query word is looked up here when the query is planned, so an edit in the
admin applies at once, with no reindexing. The table of every active group
is kept under the content version (``cached_for_version``), which a synonym's
save or delete bumps (see ``search.index.signals``).
"""

from __future__ import annotations

from search.models import Synonym, synonym_words

from .text import normalise
from .version import cached_for_version


def synonyms_of(token: str) -> list[str]:
    """The other words of the active groups that contain ``token`` (normalised), in the order the groups list them."""
    return list(synonym_table().get(normalise(token).strip(), ()))


def synonym_table() -> dict[str, list[str]]:
    """Word → its synonyms, for every word of an active group (shared: read it, never change it)."""
    return cached_for_version("synonyms", _load_table)


def _load_table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for words in Synonym.objects.filter(active=True).order_by("pk").values_list("words", flat=True):
        group = synonym_words(words)
        for word in group:
            others = table.setdefault(word, [])
            others += [other for other in group if other != word and other not in others]
    return table
