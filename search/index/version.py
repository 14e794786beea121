"""The content version: one number that every change to the library bumps.

Cached pages and cached labels are keyed by it (see ``config.content_cache`` and
``search.facets``), so a change makes every earlier entry unreachable at once.
The index bumps it whenever it writes, which is after every write to a case,
an item, a region, a topic or a collection.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"


def content_version() -> int:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY, 1)
        return int(version)
    except Exception:  # a cache outage must not take pages down
        logger.warning("cache unavailable: reading the content version", exc_info=True)
        return 0


def bump_content_version() -> None:
    """Invalidate every cached page now, and again when the transaction commits.

    The second bump covers a page rendered by another request from the
    not-yet-committed state between the two.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet
        cache.add(VERSION_KEY, 2, timeout=None)
    except Exception:
        logger.warning("cache unavailable: bumping the content version", exc_info=True)
