"""Keeping the search index in step with every write.

Each save of a case, an item, a region or a topic reindexes the cases it
touches, inside the same transaction, so an edit is searchable as soon as it
is committed. Bulk writers (the importer, ``reindex``) wrap their work in
:func:`batched` so each case is indexed once, at the end.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

from django.db import models, transaction

from cases.models import Case

from .backends import get_backend
from .documents import case_field_tokens
from .models import SearchDocument

_state = threading.local()


def _cases_for_indexing() -> models.QuerySet[Case]:
    from regions.models import Region

    return Case.objects.prefetch_related(
        models.Prefetch("regions", queryset=Region.objects.select_related("parent")),
        "topics",
        "items",
    )


def case_reindex(*, case_ids: Iterable[int]) -> None:
    """Rebuild the index entries of these cases (or defer to the open batch)."""
    case_ids = set(case_ids)
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending |= case_ids
        return
    _reindex_now(case_ids)


def case_unindex(*, case_ids: Iterable[int]) -> None:
    case_ids = list(case_ids)
    get_backend().delete(case_ids)
    SearchDocument.objects.filter(case_id__in=case_ids).delete()


def _reindex_now(case_ids: set[int], progress: Callable[[int], None] | None = None) -> None:
    backend = get_backend()
    with transaction.atomic():
        found = set()
        for done, case in enumerate(_cases_for_indexing().filter(pk__in=case_ids).iterator(chunk_size=500), 1):
            found.add(case.pk)
            tokens = case_field_tokens(case)
            SearchDocument.objects.update_or_create(
                case_id=case.pk,
                defaults={f"{name}_tokens": " ".join(values) for name, values in tokens.items()},
            )
            backend.write(case.pk, tokens)
            if progress:
                progress(done)
        gone = case_ids - found
        if gone:
            case_unindex(case_ids=gone)


@contextlib.contextmanager
def batched(*, reindex: bool = True) -> Iterator[None]:
    """Collect reindex requests and run them once when the block ends without error.

    ``reindex=False`` drops them instead, for a caller that rebuilds the whole
    index afterwards (loading fixtures).
    """
    if getattr(_state, "pending", None) is not None:
        yield  # already inside a batch
        return
    _state.pending = set()
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    if reindex:
        _reindex_now(pending)


def rebuild_index(progress: Callable[[int, int], None] | None = None) -> int:
    """Reindex every case, dropping entries of cases that no longer exist. Returns the count."""
    case_ids = set(Case.objects.values_list("pk", flat=True))
    total = len(case_ids)
    with transaction.atomic():
        get_backend().clear()
        SearchDocument.objects.exclude(case_id__in=case_ids).delete()
        _reindex_now(case_ids, progress=(lambda done: progress(done, total)) if progress else None)
    return total
