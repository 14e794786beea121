"""The content version: one number that every change to the library bumps.

Cached pages and cached labels are keyed by it (see ``config.content_cache`` and
``search.facets``), so a change makes every earlier entry unreachable at once.
The index bumps it whenever it writes, which is after every write to a case,
an item, a region, a topic or a collection.

The number is a one-row table (:class:`search.models.ContentVersion`), not a
cache entry: every process reads it from the database, so a bump reaches them
all when the write commits, with Redis or without it. The bump is an
``UPDATE`` in the writer's transaction, so the new number and the new content
become visible together, and a write that is rolled back bumps nothing. No page
can then be stored under the new number from the old content, which is why no
second bump on commit is needed.

A bump sets the number to the current time in microseconds, or one more than
before if that is larger: numbers only grow, and after a database is restored
from an older dump, the next bump (``reindex`` makes one) lands above every
number used before, so a shared cache cannot serve a page stored under one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import time_ns

from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Greatest

from ..models import ContentVersion

ROW = 1
# The version read once for the request being served (see ``pinned_content_version``).
_pinned: ContextVar[int | None] = ContextVar("content_version", default=None)


def content_version() -> int:
    """The current version: the one pinned for this request, else read from the database (one indexed row)."""
    pinned = _pinned.get()
    return pinned if pinned is not None else _read()


@contextmanager
def pinned_content_version() -> Iterator[int]:
    """Read the version once; every ``content_version()`` within uses that number.

    A request's cache key and the labels its page shows are then keyed by the
    same version, at the cost of a single query.
    """
    token = _pinned.set(_read())
    try:
        yield _pinned.get()
    finally:
        _pinned.reset(token)


def bump_content_version() -> None:
    """Make every cached page unreachable once the current transaction commits (at once outside one).

    Call it in the transaction of the write, or after the write: a bump
    committed before the write it stands for would let a page of the old
    content be stored under the new number.
    """
    bumped = Greatest(F("version") + 1, Value(time_ns() // 1000, output_field=BigIntegerField()))
    if not ContentVersion.objects.filter(pk=ROW).update(version=bumped):
        # The row is gone (a flushed database): put it back, then bump it.
        ContentVersion.objects.bulk_create([ContentVersion(pk=ROW, version=1)], ignore_conflicts=True)
        ContentVersion.objects.filter(pk=ROW).update(version=bumped)


def _read() -> int:
    version = ContentVersion.objects.filter(pk=ROW).values_list("version", flat=True).first()
    return 1 if version is None else version
