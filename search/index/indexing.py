"""Keeping the search index in step with every write.

Each save of a case, an item, a region or a topic reindexes the cases it
touches, inside the same transaction, so an edit is searchable as soon as it
is committed. Bulk writers (the importer) wrap their work in :func:`batched`
so each case is indexed once, at the end. Rows are always written in case id
order, so writers that lock several cases' rows never wait on each other in a
circle. :func:`rebuild_index` works in short transactions, so editing goes on
while it runs.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

from django.db import IntegrityError, models, transaction

from cases.models import Case
from regions.models import Region
from search.models import FacetSet, SearchDocument, SearchText

from .backends import IndexRows, get_backend
from .champions import ChampionCollector, champions_delete, champions_write, token_weights
from .documents import BOOSTS, FIELDS, case_field_tokens
from .related import related_write
from .text import memoised_segmentation
from .version import bump_content_version
from .vocabulary import vocabulary_add, vocabulary_rebuild

_state = threading.local()


def _cases_for_indexing() -> models.QuerySet[Case]:
    return Case.objects.prefetch_related(
        models.Prefetch("regions", queryset=Region.objects.select_related("parent")),
        "topics",
        "items",
    ).order_by("pk")


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
    bump_content_version()


CHUNK_SIZE = 200
Progress = Callable[[int, int], None]  # (cases done, cases in all): called at the start and after each chunk


def _reindex_now(case_ids: set[int], progress: Progress | None = None, *, rewrite: bool = False) -> None:
    """Index these cases in chunks, in one transaction: segment, then write their rows (:func:`_write_rows`).

    A case whose entry would be written as it is (the same tokens, publication
    and regions and topics: a change of punctuation, say) is left alone, unless
    ``rewrite`` (its champion entries or related lists may be missing: a
    rebuild replaced them). ``progress`` may raise to give up: the transaction
    then writes nothing.
    """
    ordered = sorted(case_ids)
    with transaction.atomic(), memoised_segmentation():
        if ordered:
            bump_content_version()  # when this commits, cached pages show what the index now holds
        if progress and ordered:
            progress(0, len(ordered))
        found: set[int] = set()
        for start in range(0, len(ordered), CHUNK_SIZE):
            cases = list(_cases_for_indexing().filter(pk__in=ordered[start : start + CHUNK_SIZE]))
            rows = [(case.pk, case_field_tokens(case)) for case in cases]
            found.update(pk for pk, _ in rows)
            same = set() if rewrite else _unchanged(cases, rows)
            _write_rows([case for case in cases if case.pk not in same], [row for row in rows if row[0] not in same])
            if progress:
                progress(min(start + CHUNK_SIZE, len(ordered)), len(ordered))
        gone = case_ids - found
        if gone:
            case_unindex(case_ids=gone)


def _unchanged(cases: list[Case], rows: IndexRows) -> set[int]:
    """The cases whose index entries hold these tokens, publication and regions and topics already (two queries)."""
    ids = [pk for pk, _ in rows]
    columns = [f"{field.name}_tokens" for field in FIELDS]
    texts = SearchText.objects.filter(case_id__in=ids).values_list("case_id", *columns)
    stored = {pk: tuple(values) for pk, *values in texts}
    documents = SearchDocument.objects.filter(case_id__in=ids).values_list(
        "case_id", "published", "facet_set__region_ids", "facet_set__topic_ids"
    )
    labels = {pk: (published, regions, topics) for pk, published, regions, topics in documents}
    return {
        case.pk
        for case, (pk, tokens) in zip(cases, rows, strict=True)
        if stored.get(pk) == tuple(" ".join(tokens.get(field.name, [])) for field in FIELDS)
        and labels.get(pk) == (case.status == Case.Status.PUBLISHED, *_facet_key(case))
    }


def _write_rows(cases: list[Case], rows: IndexRows, champions: ChampionCollector | None = None) -> None:
    """Upsert the cases' SearchText and SearchDocument rows and write the backend's index, in case id order.

    Champion lists and related cases are updated case by case, or left to ``champions`` when the whole
    index is rebuilt (``reindex`` then recomputes every related list, see ``search.index.related``).
    """
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
    stored = dict(
        (pk, (published, facet_set))
        for pk, published, facet_set in SearchDocument.objects.filter(
            case_id__in=[case.pk for case in cases]
        ).values_list("case_id", "published", "facet_set_id")
    )
    # Only the rows that change: on PostgreSQL rewriting a row indexes its whole tsvector again.
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(case_id=case.pk, published=case.status == Case.Status.PUBLISHED, facet_set_id=sets[case.pk])
            for case in cases
            if stored.get(case.pk) != (case.status == Case.Status.PUBLISHED, sets[case.pk])
        ],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["published", "facet_set", "updated_at"],
    )
    get_backend().write_many(rows)
    published = {case.pk for case in cases if case.status == Case.Status.PUBLISHED}
    weights = [(pk, token_weights(tokens, BOOSTS) if pk in published else {}) for pk, tokens in rows]
    if champions is None:
        champions_write(weights)
        vocabulary_add({token for _, case_weights in weights for token in case_weights})
        related_write(rows, cases)
    else:
        for pk, case_weights in weights:
            champions.add(pk, case_weights)


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
def batched(*, reindex: bool = True, progress: Progress | None = None) -> Iterator[None]:
    """Collect reindex requests and run them once when the block ends without error.

    ``reindex=False`` drops them instead, for a caller that rebuilds the whole
    index afterwards (loading fixtures). ``progress`` hears how the reindex goes.
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
        _reindex_now(pending, progress)


@contextlib.contextmanager
def bulk(*, reindex: bool = True, progress: Progress | None = None) -> Iterator[None]:
    """One transaction in which each case written is reindexed once, at the end: where bulk work starts.

    ``reindex=False`` (a dry run that rolls itself back, or a caller that rebuilds
    the whole index afterwards) reindexes nothing. ``progress`` is called as the
    reindex goes (see :func:`_reindex_now`); if it raises, nothing is written.
    """
    with transaction.atomic(), batched(reindex=reindex, progress=progress):
        yield


REBUILD_CHUNK_SIZE = 200


def rebuild_index(progress: Callable[[int, int], None] | None = None) -> int:
    """Reindex every case, dropping entries of cases that no longer exist. Returns the count.

    It runs in short transactions, so that saving a case never waits long for
    it: ``REBUILD_CHUNK_SIZE`` cases at a time are read and segmented outside
    any transaction, then written in one, which locks their case rows first
    (in id order, as a save does) and reads again any case saved since it was
    read. The entries keep serving searches meanwhile; nothing is cleared
    first. The champion lists are replaced at the end, and a last pass
    reindexes the cases saved, created or relabelled while the rebuild ran
    (their own reindex may have come before the lists were replaced).
    """
    with memoised_segmentation():
        return _rebuild_index(progress)


def _rebuild_index(progress: Callable[[int, int], None] | None) -> int:
    ordered = sorted(Case.objects.values_list("pk", flat=True))
    total = len(ordered)
    champions = ChampionCollector()
    seen: dict[int, tuple] = {}  # case id → its (version, updated_at) as indexed
    for start in range(0, total, REBUILD_CHUNK_SIZE):
        chunk = ordered[start : start + REBUILD_CHUNK_SIZE]
        cases = list(_cases_for_indexing().filter(pk__in=chunk))
        tokens = {case.pk: case_field_tokens(case) for case in cases}  # the slow part, outside a transaction
        with transaction.atomic():
            current = dict(
                (pk, (version, updated))
                for pk, version, updated in Case.objects.filter(pk__in=chunk)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", "version", "updated_at")
            )
            cases = [case for case in cases if case.pk in current]  # deleted meanwhile: unindexed by the delete
            changed = [case.pk for case in cases if _stamp(case) != current[case.pk]]
            if changed:  # saved since they were read: read again (their rows are locked now)
                fresh = {case.pk: case for case in _cases_for_indexing().filter(pk__in=changed)}
                cases = [fresh.get(case.pk, case) for case in cases]
                tokens.update({pk: case_field_tokens(case) for pk, case in fresh.items()})
            cases.sort(key=lambda case: case.pk)
            _write_rows(cases, [(case.pk, tokens[case.pk]) for case in cases], champions)
        seen.update((case.pk, _stamp(case)) for case in cases)
        if progress:
            progress(min(start + REBUILD_CHUNK_SIZE, total), total)
    with transaction.atomic():
        champions.save(live=lambda: set(Case.objects.values_list("pk", flat=True)))
    with transaction.atomic():
        gone = set(
            SearchDocument.objects.exclude(case_id__in=Case.objects.values("pk")).values_list("case_id", flat=True)
        )
        gone |= set(SearchText.objects.exclude(case_id__in=Case.objects.values("pk")).values_list("case_id", flat=True))
        if gone:
            case_unindex(case_ids=gone)
    since = [
        pk for pk, *stamp in Case.objects.values_list("pk", "version", "updated_at") if seen.get(pk) != tuple(stamp)
    ]
    if since:
        _reindex_now(set(since), rewrite=True)  # their entries are right, the lists replaced since may lack them
    try:
        with transaction.atomic():
            FacetSet.objects.exclude(pk__in=SearchDocument.objects.values("facet_set")).delete()
    except IntegrityError:
        pass  # a save took up an unused set meanwhile; the next rebuild removes what is still unused
    vocabulary_rebuild()
    bump_content_version()  # every cached page was made before the rebuild ended
    get_backend().after_rebuild()
    return total


def _stamp(case: Case) -> tuple:
    """What tells that a case was saved: its version (counted by the cases' services) and its last save."""
    return (case.version, case.updated_at)
