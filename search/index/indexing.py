"""Keeping the search index in step with every write.

Each save of a case, an item, a region or a topic reindexes the cases it
touches, inside the same transaction, so an edit is searchable as soon as it
is committed. Bulk writers (the importer, the admin's actions) wrap their work
in :func:`batched` so each case is indexed once, at the end. Rows are always
written in case id order, so writers that lock several cases' rows never wait
on each other in a circle. :func:`rebuild_index` works in short transactions,
so editing goes on while it runs.

A request to reindex says what changed (:data:`Changed`). A case whose text
may have changed is segmented again, whole. A case whose labels changed (a
topic renamed, merged or given to it) has only its labels segmented, the
rest of its text read from its stored tokens; a case whose status alone
changed is segmented not at all. Such cases are updated as sets, a few
statements for each ``CHUNK_SIZE`` of them, so the cost of publishing or
relabelling thousands of cases is in writing their rows, not in per-case work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db import IntegrityError, models, transaction

from cases.models import Case
from search.models import FacetSet, SearchDocument, SearchText

from .backends import Document, IndexRows, get_backend
from .champions import ChampionCollector, champions_delete, champions_write
from .documents import (
    FIELDS,
    LABEL_FIELDS,
    LabelKey,
    case_field_tokens,
    case_regions,
    case_topics,
    field_needs_items,
    index_prefetches,
    label_fields,
)
from .related import related_enter, related_forget, related_relabel, related_write
from .text import memoised_segmentation
from .version import bump_content_version
from .vocabulary import vocabulary_add, vocabulary_rebuild

_state = threading.local()


# What changed in a case, for the index: None when its text may have changed (everything is segmented
# again), else the names of the fields (``documents.FIELDS``) whose text changed, none for a status change.
Changed = frozenset[str] | None
EVERYTHING: Changed = None
LABELS: Changed = frozenset({"label"})
STATUS: Changed = frozenset()


def _cases_for_indexing(*, items: bool = True) -> models.QuerySet[Case]:
    return Case.objects.prefetch_related(*index_prefetches(items=items)).order_by("pk")


def case_reindex(*, case_ids: Iterable[int], changed: Changed = EVERYTHING) -> None:
    """Rebuild the index entries of these cases (or defer to the open batch); ``changed`` says what changed."""
    changes = dict.fromkeys(case_ids, changed)
    pending = getattr(_state, "pending", None)
    if pending is not None:
        for pk, fields in changes.items():
            pending[pk] = _combined(pending[pk], fields) if pk in pending else fields
        return
    _reindex_now(changes)


def _combined(first: Changed, second: Changed) -> Changed:
    return EVERYTHING if first is EVERYTHING or second is EVERYTHING else first | second


def case_unindex(*, case_ids: Iterable[int]) -> None:
    """Remove these cases' entries (inside a batch when it ends, so that deleting many cases unindexes them at once)."""
    case_ids = list(case_ids)
    unindexed = getattr(_state, "unindexed", None)
    if unindexed is not None:
        unindexed.update(case_ids)
        return
    for start in range(0, len(case_ids), CHUNK_SIZE):
        chunk = case_ids[start : start + CHUNK_SIZE]
        get_backend().delete(chunk)
        champions_delete(chunk)
        SearchText.objects.filter(case_id__in=chunk).delete()
        SearchDocument.objects.filter(case_id__in=chunk).delete()
    bump_content_version()


CHUNK_SIZE = 200
Progress = Callable[[int, int], None]  # (cases done, cases in all): called at the start and after each chunk


def _reindex_now(changes: dict[int, Changed], progress: Progress | None = None, *, rewrite: bool = False) -> None:
    """Index these cases in chunks, in one transaction: those whose text may have changed are segmented and
    written whole (:func:`_write_rows`), the others updated where they changed (:func:`_refresh`).

    A case segmented whole whose entry would be written as it is (the same
    tokens, publication and regions and topics: a change of punctuation, say)
    is left alone, unless ``rewrite`` (its champion entries or related lists
    may be missing: a rebuild replaced them). Each distinct line is segmented
    once in a run (``text.memoised_segmentation``). ``progress`` may raise to
    give up: the transaction then writes nothing.
    """
    ordered = sorted(changes)
    with transaction.atomic(), memoised_segmentation():
        if ordered:
            bump_content_version()  # when this commits, cached pages show what the index now holds
        if progress and ordered:
            progress(0, len(ordered))
        found: set[int] = set()
        refreshed = _Refreshed()
        for start in range(0, len(ordered), CHUNK_SIZE):
            chunk = ordered[start : start + CHUNK_SIZE]
            partial = {pk: changes[pk] for pk in chunk if changes[pk] is not EVERYTHING}
            stored = {text.case_id: text for text in SearchText.objects.filter(case_id__in=sorted(partial))}
            whole = [pk for pk in chunk if pk not in stored]  # a case never indexed is indexed whole
            cases = list(_cases_for_indexing().filter(pk__in=whole))
            rows = [(case.pk, case_field_tokens(case)) for case in cases]
            found.update(pk for pk, _ in rows)
            same = set() if rewrite else _unchanged(cases, rows)
            _write_rows([case for case in cases if case.pk not in same], [row for row in rows if row[0] not in same])
            found.update(_refresh({pk: partial[pk] for pk in stored}, stored, refreshed))
            if progress:
                progress(min(start + CHUNK_SIZE, len(ordered)), len(ordered))
        # The stored related cases of all the cases refreshed, at once: a list may name cases of several chunks.
        related_forget(refreshed.withdrawn)
        related_enter(refreshed.published)
        related_relabel(refreshed.relabelled)
        gone = set(changes) - found
        if gone:
            case_unindex(case_ids=gone)


@dataclasses.dataclass
class _Refreshed:
    """The cases refreshed whose stored related cases follow: withdrawn, published, and given other topics."""

    withdrawn: list[int] = dataclasses.field(default_factory=list)
    published: list[int] = dataclasses.field(default_factory=list)
    relabelled: list[int] = dataclasses.field(default_factory=list)


def _refresh(changes: dict[int, frozenset[str]], stored: dict[int, SearchText], refreshed: _Refreshed) -> set[int]:
    """Update the entries of these indexed cases where they changed; returns the ids of those that exist.

    Only the fields named in ``changes`` are segmented again (names of regions and topics once per
    process, see ``text.names_tokens``); the other fields keep their stored tokens. The rows are
    written as sets, each only where it changed: the documents (status, regions and topics); the
    text, the backend's entries and the champion entries of the tokens that changed (see
    :func:`champions_write`); the vocabulary of the cases published. The cases whose stored related
    cases follow are added to ``refreshed``.
    """
    if not changes:
        return set()
    fields = frozenset().union(*changes.values())
    cases = list(_cases_for_indexing(items=any(field_needs_items(name) for name in fields)).filter(pk__in=changes))
    before: dict[int, Document] = {
        pk: (published, facet_set)
        for pk, published, facet_set in SearchDocument.objects.filter(
            case_id__in=[case.pk for case in cases]
        ).values_list("case_id", "published", "facet_set")
    }
    sets = _facet_sets({case.pk: _facet_key(case) for case in cases})
    documents = {case.pk: (case.status == Case.Status.PUBLISHED, sets[case.pk]) for case in cases}
    rows: IndexRows = []
    differing: dict[int, set[str]] = {}  # case id → the tokens whose count changed, for those whose text did
    withdrawn: list[int] = []
    published: list[int] = []
    words: set[str] = set()  # the words that published cases now hold, for the vocabulary
    for case in cases:
        old = {field.name: getattr(stored[case.pk], f"{field.name}_tokens").split() for field in FIELDS}
        tokens = {**old, **case_field_tokens(case, changes[case.pk])}
        rows.append((case.pk, tokens))
        differ = {token for name in changes[case.pk] for token in _differing(old[name], tokens[name])}
        if differ:
            differing[case.pk] = differ
        is_published, was_published = documents[case.pk][0], before.get(case.pk, (False, None))[0]
        if was_published and not is_published:
            withdrawn.append(case.pk)
        elif is_published and not was_published:
            published.append(case.pk)
            words.update(token for field_tokens in tokens.values() for token in field_tokens)
        elif is_published:
            words |= differ
    changed_rows = [(pk, tokens) for pk, tokens in rows if pk in differing]
    changed_tokens = set().union(*differing.values())
    if changed_rows:
        columns = {name: f"{name}_tokens" for name in sorted(fields)}
        SearchText.objects.bulk_create(
            [
                SearchText(case_id=pk, **{column: " ".join(tokens[name]) for name, column in columns.items()})
                for pk, tokens in changed_rows
            ],
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=list(columns.values()),
        )
    backend = get_backend()
    backend.update_many(
        {pk: document for pk, document in documents.items() if document != before.get(pk) or pk in differing},
        changed_rows,
        fields,
    )
    # The champion lists follow the text, whatever the status (see ``champions``): only tokens that changed.
    champions_write(
        [(pk, backend.token_weights(tokens, only=changed_tokens)) for pk, tokens in changed_rows], only=changed_tokens
    )
    vocabulary_add(words)
    refreshed.withdrawn += withdrawn
    refreshed.published += published
    refreshed.relabelled += [case.pk for case in cases if "label" in changes[case.pk]]
    return {case.pk for case in cases}


def _differing(old: list[str], new: list[str]) -> set[str]:
    """The tokens found a different number of times in ``new`` than in ``old``."""
    if old == new:
        return set()
    before, after = Counter(old), Counter(new)
    return {token for token in before.keys() | after.keys() if before[token] != after[token]}


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
    _write_documents(cases)
    backend = get_backend()
    backend.write_many(rows)
    weights = [(pk, backend.token_weights(tokens)) for pk, tokens in rows]  # drafts too (see ``champions``)
    if champions is None:
        champions_write(weights)
        published = {case.pk for case in cases if case.status == Case.Status.PUBLISHED}
        vocabulary_add({token for pk, case_weights in weights if pk in published for token in case_weights})
        related_write(rows, cases)
    else:
        for pk, case_weights in weights:
            champions.add(pk, case_weights)


def _write_documents(cases: list[Case]) -> None:
    """Upsert the cases' SearchDocument rows: published or not, and their combination of regions and topics."""
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


def _facet_key(case: Case) -> tuple[str, str]:
    """(region ids, topic ids) as FacetSet stores them; regions and topics must be prefetched."""
    return (
        " ".join(str(pk) for pk in sorted(region.pk for region in case_regions(case))),
        " ".join(str(pk) for pk in sorted(topic.pk for topic in case_topics(case))),
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
    index afterwards (loading fixtures). The entries of the cases deleted
    meanwhile are removed at the end either way. ``progress`` hears how the
    reindex goes.
    """
    if getattr(_state, "pending", None) is not None:
        yield  # already inside a batch
        return
    _state.pending, _state.unindexed = {}, set()
    try:
        yield
        pending, unindexed = _state.pending, _state.unindexed
    finally:
        _state.pending = _state.unindexed = None
    if unindexed:
        case_unindex(case_ids=sorted(unindexed))
    if reindex:
        _reindex_now({pk: changed for pk, changed in pending.items() if pk not in unindexed}, progress)


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
    (in id order, as a save does), then their topics' and regions' rows (so a
    rename waits for it, or it for the rename), and reads again any case saved,
    or whose labels were renamed, since it was read. The entries keep serving searches meanwhile; nothing is cleared
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
                .select_for_update(no_key=True)  # as a save's UPDATE locks it; foreign keys to it still pass
                .values_list("pk", "version", "updated_at")
            )
            cases = [case for case in cases if case.pk in current]  # deleted meanwhile: unindexed by the delete
            labels = {case.pk: label_fields(case) for case in cases}
            labels_now = _locked_label_fields({key for fields in labels.values() for key in fields})
            changed = [
                case.pk
                for case in cases
                if _stamp(case) != current[case.pk]
                or any(labels_now.get(key) != fields for key, fields in labels[case.pk].items())
            ]
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
        # Their entries are right, but the lists replaced since may lack them: written whole.
        _reindex_now(dict.fromkeys(since, EVERYTHING), rewrite=True)
    try:
        with transaction.atomic():
            FacetSet.objects.exclude(pk__in=SearchDocument.objects.values("facet_set")).delete()
    except IntegrityError:
        pass  # a save took up an unused set meanwhile; the next rebuild removes what is still unused
    vocabulary_rebuild()
    bump_content_version()  # every cached page was made before the rebuild ended
    get_backend().after_rebuild()
    return total


def _locked_label_fields(keys: set[LabelKey]) -> dict[LabelKey, tuple]:
    """The ``LABEL_FIELDS`` of these labels as they are now, their rows locked against a rename until the
    transaction ends (a lock that adding or removing a case's label does not wait for).

    Locked in the labels' own order, the order in which the admin's list saves the positions of several.
    """
    now: dict[LabelKey, tuple] = {}
    for model, names in LABEL_FIELDS.items():
        ids = sorted(pk for kind, pk in keys if kind is model)
        if ids:
            rows = model.objects.filter(pk__in=ids).order_by(*model._meta.ordering, "pk").select_for_update(no_key=True)
            now.update(((model, pk), tuple(fields)) for pk, *fields in rows.values_list("pk", *names))
    return now


def _stamp(case: Case) -> tuple:
    """What tells that a case was saved: its version (counted by the cases' services) and its last save."""
    return (case.version, case.updated_at)
