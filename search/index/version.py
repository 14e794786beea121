"""The content version: one number that every change to the library bumps.

Cached pages and cached labels are keyed by it (see ``config.content_cache`` and
``search.facets``), so a change makes every earlier entry unreachable at once.
The index bumps it whenever it writes, which is after every write to a case,
an item, a region, a topic or a collection.

The number is a one-row table (:class:`search.models.ContentVersion`), not a
cache entry: every process reads it from the database, so a bump reaches them
all when the write commits, with Redis or without it. The bump is a short
``UPDATE`` of its own, run when the writer's transaction commits: a write that
is rolled back bumps nothing, no page of the old content can be stored under
the new number, and writers never wait on each other for the row (a long
import or reindex must not hold up an editor's save). Between the commit and
the bump a page may be stored under the old number with the new content, which
the bump then retires.

A bump also moves a counter in Django's cache at once, which is the last three
digits of the number: the writer's own process (and, with Redis, every process)
stops serving pages of the old content even before the write commits. A page
stored meanwhile from the uncommitted state is retired by the commit's bump.

A bump sets the number to the current time in microseconds, or one more than
before if that is larger: numbers only grow, and after a database is restored
from an older dump, the next bump (``reindex`` makes one) lands above every
number used before, so a shared cache cannot serve a page stored under one.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Greatest

from ..models import ContentVersion

logger = logging.getLogger(__name__)

ROW = 1
PENDING_KEY = "content-version-pending"
# The version read at most once for the request being served (see ``pinned_content_version``):
# a holder, filled when the number is first asked for.
_pinned: ContextVar[list[int] | None] = ContextVar("content_version", default=None)

VERSIONED_SECONDS = 60  # without Redis each worker has its own content version; this bounds their drift
T = TypeVar("T")

# What this process last read of Django's cache with ``cached_for_version``: the same entries, without a trip to
# Redis or unpickling them again for every request. Their keys hold the version, so an entry here is as current as
# the cache's; kept as long as there.
_read_here: dict[str, tuple[float, object]] = {}


def content_version() -> int:
    """The current version: the one pinned for this request, else read from the database (one indexed row)."""
    holder = _pinned.get()
    if holder is None:
        return _read()
    if not holder:
        holder.append(_read())
    return holder[0]


@contextmanager
def pinned_content_version() -> Iterator[None]:
    """Within, ``content_version()`` reads the version once, when first asked, and keeps that number.

    A request's cache key and the labels its page shows are then keyed by the
    same version, at the cost of a single query (none if nothing asks). An
    outer pin is kept.
    """
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set([])
    try:
        yield
    finally:
        _pinned.reset(token)


def cached_for_version(name: str, load: Callable[[], T]) -> T:
    """What ``load`` gives for the current version: kept in Django's cache (shared by the processes) under ``name``
    and the version, for at most ``VERSIONED_SECONDS``, and loaded when missing there.

    The value is shared by every request of this process: callers read it and never change it.
    """
    key = f"{name}:{content_version()}"
    now = time.monotonic()
    here = _read_here.get(key)
    if here is not None and here[0] > now:
        return here[1]
    try:
        value = cache.get_or_set(key, load, VERSIONED_SECONDS)
    except Exception:  # a cache outage costs speed, not the page; this process keeps what it loaded
        logger.warning("cache unavailable: reading %s", name, exc_info=True)
        value = load()
    if len(_read_here) >= 16:  # entries of earlier versions
        _read_here.clear()
    _read_here[key] = (now + VERSIONED_SECONDS, value)
    return value


def forget_cached_reads() -> None:
    """Forget what this process read of the cache (the cache was cleared, and versions may repeat)."""
    _read_here.clear()


def bump_content_version() -> None:
    """Make every cached page unreachable: now in this process (and with Redis everywhere), and in every
    process once the current transaction commits (at once outside one)."""
    try:
        cache.incr(PENDING_KEY)
    except ValueError:  # no counter yet
        cache.add(PENDING_KEY, 1, timeout=None)
    except Exception:  # a cache outage must not stop a write
        logger.warning("cache unavailable: bumping the content version", exc_info=True)
    transaction.on_commit(_bump)


def _bump() -> None:
    bumped = Greatest(F("version") + 1, Value(time.time_ns() // 1000, output_field=BigIntegerField()))
    if not ContentVersion.objects.filter(pk=ROW).update(version=bumped):
        # The row is gone (a flushed database): put it back, then bump it.
        ContentVersion.objects.bulk_create([ContentVersion(pk=ROW, version=1)], ignore_conflicts=True)
        ContentVersion.objects.filter(pk=ROW).update(version=bumped)


def _read() -> int:
    version = _stored_version()
    try:
        pending = int(cache.get(PENDING_KEY, 0))
    except Exception:
        logger.warning("cache unavailable: reading the content version", exc_info=True)
        pending = 0
    return (1 if version is None else version) * 1000 + pending % 1000


def _stored_version() -> int | None:
    """The row's number, by a statement written once: every page asks, and the ORM would compile it each time
    (three times what the database takes for it)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [ROW])
        row = cursor.fetchone()
    return None if row is None else row[0]


@functools.cache
def _version_sql() -> str:
    meta = ContentVersion._meta
    quote = connection.ops.quote_name
    column, table, key = quote(meta.get_field("version").column), quote(meta.db_table), quote(meta.pk.column)
    return f"SELECT {column} FROM {table} WHERE {key} = %s"
