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
from regions.models import Region
from search.models import FacetSet, SearchDocument, SearchText

from .backends import get_backend
from .champions import ChampionCollector, champions_delete, champions_write, token_weights
from .documents import BOOSTS, FIELDS, case_field_tokens
from .version import bump_content_version
from .vocabulary import vocabulary_add, vocabulary_rebuild

_state = threading.local()


def _cases_for_indexing() -> models.QuerySet[Case]:
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
    champions_delete(case_ids)
    SearchText.objects.filter(case_id__in=case_ids).delete()
    SearchDocument.objects.filter(case_id__in=case_ids).delete()
    bump_content_version()  # after the writes (or with them, in the caller's transaction)


CHUNK_SIZE = 500


def _reindex_now(
    case_ids: set[int],
    progress: Callable[[int], None] | None = None,
    champions: ChampionCollector | None = None,
) -> None:
    """Index these cases in chunks: segment, upsert their SearchText and SearchDocument rows, write the backend's index.

    Champion lists are updated case by case, or left to ``champions`` when the whole index is rebuilt.
    """
    backend = get_backend()
    ordered = sorted(case_ids)
    done = 0
    with transaction.atomic():
        found: set[int] = set()
        for start in range(0, len(ordered), CHUNK_SIZE):
            cases = list(_cases_for_indexing().filter(pk__in=ordered[start : start + CHUNK_SIZE]))
            rows = [(case.pk, case_field_tokens(case)) for case in cases]
            SearchText.objects.bulk_create(
                [
                    SearchText(case_id=pk, **{f"{name}_tokens": " ".join(values) for name, values in tokens.items()})
                    for pk, tokens in rows
                ],
                update_conflicts=True,
                unique_fields=["case"],
                update_fields=[f"{field.name}_tokens" for field in FIELDS],
            )
            sets = _facet_sets({case.pk: _facet_key(case) for case in cases})
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        case_id=case.pk, published=case.status == Case.Status.PUBLISHED, facet_set_id=sets[case.pk]
                    )
                    for case in cases
                ],
                update_conflicts=True,
                unique_fields=["case"],
                update_fields=["published", "facet_set", "updated_at"],
            )
            backend.write_many(rows)
            published = {case.pk for case in cases if case.status == Case.Status.PUBLISHED}
            weights = [(pk, token_weights(tokens, BOOSTS) if pk in published else {}) for pk, tokens in rows]
            if champions is None:
                champions_write(weights)
                vocabulary_add({token for _, case_weights in weights for token in case_weights})
            else:
                for pk, case_weights in weights:
                    champions.add(pk, case_weights)
            found.update(pk for pk, _ in rows)
            done += len(rows)
            if progress:
                progress(done)
        gone = case_ids - found
        if gone:
            case_unindex(case_ids=gone)
        if ordered:
            bump_content_version()  # in the same transaction: cached pages show what the index now holds


def _facet_key(case: Case) -> tuple[str, str]:
    """(region ids, topic ids) as FacetSet stores them; regions and topics must be prefetched."""
    return (
        " ".join(str(pk) for pk in sorted(region.pk for region in case.regions.all())),
        " ".join(str(pk) for pk in sorted(topic.pk for topic in case.topics.all())),
    )


def _facet_sets(keys: dict[int, tuple[str, str]]) -> dict[int, int]:
    """Case id → id of the FacetSet of its key, creating the sets not seen before."""
    wanted = set(keys.values())
    FacetSet.objects.bulk_create(
        [FacetSet(region_ids=regions, topic_ids=topics) for regions, topics in wanted], ignore_conflicts=True
    )
    existing = FacetSet.objects.filter(region_ids__in={regions for regions, _ in wanted})
    ids = {(s.region_ids, s.topic_ids): s.pk for s in existing if (s.region_ids, s.topic_ids) in wanted}
    return {case_id: ids[key] for case_id, key in keys.items()}


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


@contextlib.contextmanager
def bulk(*, reindex: bool = True) -> Iterator[None]:
    """One transaction in which each case written is reindexed once, at the end: where bulk work starts.

    ``reindex=False`` (a dry run that rolls itself back, or a caller that rebuilds
    the whole index afterwards) reindexes nothing.
    """
    with transaction.atomic(), batched(reindex=reindex):
        yield


def rebuild_index(progress: Callable[[int, int], None] | None = None) -> int:
    """Reindex every case, dropping entries of cases that no longer exist. Returns the count."""
    case_ids = set(Case.objects.values_list("pk", flat=True))
    total = len(case_ids)
    with transaction.atomic():
        get_backend().clear()
        SearchDocument.objects.exclude(case_id__in=Case.objects.values("pk")).delete()
        SearchText.objects.exclude(case_id__in=Case.objects.values("pk")).delete()
        champions = ChampionCollector()
        _reindex_now(case_ids, progress=(lambda done: progress(done, total)) if progress else None, champions=champions)
        champions.save()
        FacetSet.objects.exclude(pk__in=SearchDocument.objects.values("facet_set")).delete()
    get_backend().after_rebuild()
    vocabulary_rebuild()
    return total
