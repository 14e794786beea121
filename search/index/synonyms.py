"""Synonyms at query time: the curated groups of ``search.models.Synonym``.

A query word is looked up here when the query is planned, so an edit in the
admin applies at once, with no reindexing. The table of every active group
lives in Django's cache under the content version, which a synonym's save or
delete bumps (see ``search.index.signals``).
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from search.models import Synonym, synonym_words

from .text import normalise
from .version import content_version

logger = logging.getLogger(__name__)

SYNONYMS_SECONDS = 60  # without Redis each worker has its own content version; this bounds their drift


def synonyms_of(token: str) -> list[str]:
    """The other words of the active groups that contain ``token`` (normalised), in the order the groups list them."""
    return synonym_table().get(normalise(token).strip(), [])


def synonym_table() -> dict[str, list[str]]:
    """Word → its synonyms, for every word of an active group."""
    try:
        return cache.get_or_set(f"synonyms:{content_version()}", _load_table, SYNONYMS_SECONDS)
    except Exception:  # a cache outage costs speed, not the search
        logger.warning("cache unavailable: reading the synonym table", exc_info=True)
        return _load_table()


def _load_table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for words in Synonym.objects.filter(active=True).order_by("pk").values_list("words", flat=True):
        group = synonym_words(words)
        for word in group:
            others = table.setdefault(word, [])
            others += [other for other in group if other != word and other not in others]
    return table
