"""Writes to cases: importing parsed documents, publishing, reordering items, merging topics.

Each service runs in one transaction. The search index follows through signals
(Django's model signals, and :data:`cases.signals.cases_changed` for set
operations); a caller starting bulk work runs it in the index's batch so each
case is reindexed once, at the end. Inside an open ``reversion`` revision, the
services that change existing cases first record those without a revision yet
(:func:`cases.history.snapshots.record_unversioned`), so their earlier text can
be restored. Each write that changes a case or its items counts a new
``Case.version`` first (:func:`case_touch`), which also locks the case's row;
writes of several cases lock them in id order (an import locks every case of
its collection it reads, then counts the versions of those it writes in bulk).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field

import reversion
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from regions.models import Region

from .history.snapshots import record_revision, record_unversioned
from .importer import DocumentError, ParsedCase, provider_names
from .models import Case, CaseItem, Collection, ImportedText, ImportRun, Topic
from .signals import cases_changed


class CaseChanged(Exception):
    """The case was saved by someone else since the version a write started from; nothing was written."""

    def __init__(self, case_id: int, expected: int, current: int | None) -> None:
        super().__init__(f"case {case_id} is at version {current}, not {expected}")
        self.case_id = case_id
        self.expected = expected
        self.current = current  # None: the case no longer exists


class ImportConflict(Exception):
    """Cases of an import changed after its preview; nothing was written."""

    def __init__(self, numbers: list[int]) -> None:
        super().__init__(f"cases {numbers} changed since the preview")
        self.numbers = numbers


class ImportAlreadyDone(Exception):
    """The import of this preview was confirmed before; nothing more was written."""

    def __init__(self, collection_id: int | None) -> None:
        super().__init__("this import was confirmed already")
        self.collection_id = collection_id


def case_touch(*, case: Case, expected_version: int | None = None) -> int:
    """Count one more version of the case before writing it or its items; returns the new version.

    Call it inside the transaction of the write, before anything else is
    written: the compare-and-set ``UPDATE`` locks the case's row until the
    transaction ends, so two saves of one case follow each other. With
    ``expected_version`` (the version an editor's form, a history page or an
    import preview was made from), a case saved by someone else since raises
    :class:`CaseChanged` and nothing is written.
    """
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise CaseChanged(case.pk, expected_version or 0, current)
    case.version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    return case.version


@dataclass
class TextOutcome:
    """What an import does with one field of a case, or one part of an item, that differs from the source."""

    key: str  # "title", or "2.3.body" (section.position.part); with the case number it names a conflict
    label: str  # 标题, 实践效果第 3 条·正文
    kind: str  # one of TEXT_ACTIONS
    current: str  # the text before the import ("" for an item that is not there)
    source: str  # the source's text ("" for an item the source does not have)

    @property
    def kind_label(self) -> str:
        return TEXT_ACTIONS[self.kind]

    @property
    def is_conflict(self) -> bool:
        return self.kind in ("conflict", "taken")


TEXT_ACTIONS = {
    "updated": "按原文更新",
    "kept": "编辑已修改，保留",
    "conflict": "冲突，保留编辑的版本",
    "taken": "冲突，采用原文",
}


@dataclass
class CaseChange:
    number: int
    title: str
    regions: list[str]
    item_counts: tuple[int, int, int]
    action: str  # "created", "updated" or "unchanged"
    changed_fields: list[str] = field(default_factory=list)
    texts: list[TextOutcome] = field(default_factory=list)  # every difference from the source, and what was done

    @property
    def conflicts(self) -> list[TextOutcome]:
        return [text for text in self.texts if text.is_conflict]


@dataclass
class ImportReport:
    collection: Collection
    changes: list[CaseChange]
    dry_run: bool

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def conflicts(self) -> list[tuple[int, TextOutcome]]:
        return [(change.number, text) for change in self.changes for text in change.conflicts]


def region_lookup() -> dict[str, Region]:
    """Every printed form of every region's name (海南省, 重庆两江新区, …) → region."""
    lookup: dict[str, Region] = {}
    for region in Region.objects.select_related("parent"):
        for name in region.printed_names():
            lookup.setdefault(name, region)
    return lookup


def resolve_regions(parsed_cases: list[ParsedCase], lookup: dict[str, Region] | None = None) -> dict[int, list[Region]]:
    """Regions of each case by number; a provider naming an unknown region is an error."""
    lookup = region_lookup() if lookup is None else lookup
    resolved: dict[int, list[Region]] = {}
    for parsed in parsed_cases:
        names = parsed.provider_names
        if not names:
            raise DocumentError("提供单位一行没有写明地区。", parsed.provider_line)
        unknown = [name for name in names if name not in lookup]
        if unknown:
            raise DocumentError(
                f"提供单位中的“{'、'.join(unknown)}”不是已知地区；请先在地区表中添加。",
                parsed.provider_line,
            )
        resolved[parsed.number] = [lookup[name] for name in names]
    return resolved


def case_import(
    *,
    parsed_cases: list[ParsedCase],
    collection: Collection,
    dry_run: bool = False,
    new_case_status: str | None = None,
    expected_versions: dict[int, int] | None = None,
    take_source: Container[str] = (),
    run_token: str | None = None,
) -> ImportReport:
    """Create or update the collection's cases from a parsed document, in one transaction.

    Re-importing the same document changes nothing; a case's topics and status
    are editorial and are left as they are. New cases get ``new_case_status``
    (the model's default when None). With ``dry_run`` everything is read,
    compared and validated, and nothing is written.

    ``expected_versions`` (number → version, as :func:`import_versions` read
    them for a preview) makes the import refuse, raising
    :class:`ImportConflict` and writing nothing, when any of the cases was
    changed, created or deleted since.

    Editors' corrections survive: each text is compared with the source's and
    with the digest of what the last import wrote (:class:`ImportedText`). A
    text the source changed and no editor did is updated; one an editor
    changed and the source did not is kept; one both changed is a conflict,
    kept as the editor's unless ``take_source`` names it: ``"*"`` for all,
    ``"11"`` for those of case 11, ``"11:2.3.body"`` for one
    (``f"{number}:{TextOutcome.key}"``). A case imported before these records
    existed keeps every text that differs from the source.

    ``run_token`` (a preview's) makes a second import with the same token
    raise :class:`ImportAlreadyDone` and write nothing, even when both run at once.

    The work is a fixed number of set operations whatever the number of cases:
    the existing cases, their items, regions and records are read at once, every
    case is compared in memory, and the writes are bulk inserts and updates.
    The index hears of them through :data:`cases.signals.cases_changed`; inside
    an open revision the cases written are recorded, each with its items, under
    its user and comment (:func:`cases.history.snapshots.record_revision`), and
    those updated that had no revision yet first get one of their earlier text.
    """
    numbers = [parsed.number for parsed in parsed_cases]
    with transaction.atomic():
        if run_token is not None:
            _start_run(run_token)
        existing: dict[int, Case] = {}
        if collection.pk is None:
            collection.full_clean()
            if not dry_run:
                collection.save()
        else:
            # Locked in id order, as every save locks its case, until the import commits.
            rows = Case.objects.filter(collection=collection, number__in=numbers).order_by("pk").select_for_update()
            existing = {case.number: case for case in rows}
            if expected_versions is not None:
                current = {number: case.version for number, case in existing.items()}
                changed = sorted(
                    n for n in set(current) | set(expected_versions) if current.get(n) != expected_versions.get(n)
                )
                if changed:
                    raise ImportConflict(changed)
        lookup = region_lookup()
        regions = resolve_regions(parsed_cases, lookup)
        writes = _Writes(stored=_StoredCases.read(list(existing.values())))
        changes = []
        for parsed in parsed_cases:
            case = existing.get(parsed.number)
            if case is None:
                changes.append(_new_case(parsed, collection, regions[parsed.number], new_case_status, writes))
            else:
                changes.append(_existing_case(parsed, case, regions[parsed.number], take_source, writes, lookup))
        if not dry_run:
            writes.save()
        if run_token is not None:
            ImportRun.objects.filter(token=run_token).update(collection=collection)
    return ImportReport(collection=collection, changes=changes, dry_run=dry_run)


def import_versions(*, collection: Collection | None, numbers: Iterable[int]) -> dict[int, int]:
    """The current version of each existing case of ``collection`` with these numbers (for an import's preview)."""
    if collection is None or collection.pk is None:
        return {}
    cases = Case.objects.filter(collection=collection, number__in=list(numbers))
    return dict(cases.values_list("number", "version"))


def _start_run(token: str) -> None:
    """Claim the token for this import; a second claim waits for the first to commit, then fails."""
    done = ImportRun.objects.filter(token=token).values_list("collection_id", flat=True).first()
    if done is None:
        try:
            with transaction.atomic():
                ImportRun.objects.create(token=token)
            return
        except IntegrityError:
            done = ImportRun.objects.filter(token=token).values_list("collection_id", flat=True).first()
    raise ImportAlreadyDone(done)


def text_digest(text: str) -> str:
    """sha256 of the text with what a form or a file may add taken away: line ends, spaces at line ends, NFC."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return hashlib.sha256("\n".join(line.strip() for line in lines).strip().encode()).hexdigest()


def _same(a: str, b: str) -> bool:
    return a == b or text_digest(a) == text_digest(b)


def _takes(take_source: Container[str], number: int, key: str) -> bool:
    return "*" in take_source or str(number) in take_source or f"{number}:{key}" in take_source


def _merge(
    *, number: int, key: str, label: str, current: str, source: str, last: str | None, take_source: Container[str]
) -> TextOutcome | None:
    """The three-way decision for one text; None when it already equals the source.

    ``last`` is the digest of the text last imported; None when there is no record.
    """
    if _same(current, source):
        return None
    if last is None or text_digest(source) == last:
        kind = "kept"  # only an editor changed it (or, with no record, the current text is taken to be theirs)
    elif text_digest(current) == last:
        kind = "updated"  # only the source changed it
    else:
        kind = "taken" if _takes(take_source, number, key) else "conflict"
    return TextOutcome(key=key, label=label, kind=kind, current=current, source=source)


CASE_TEXT_FIELDS = ("title", "provider", "summary")
ITEM_PARTS = {"heading": "要点", "body": "正文"}
BATCH_SIZE = 500
Record = tuple[int, int, str]  # (section, position, field) of an ImportedText


@dataclass
class _StoredCases:
    """The items, regions and import records of the existing cases an import reads, each read in one query."""

    items: dict[int, list[CaseItem]]
    region_ids: dict[int, set[int]]
    records: dict[int, dict[Record, str]]  # the digests
    record_ids: dict[int, dict[Record, int]]  # the rows that hold them

    @classmethod
    def read(cls, cases: list[Case]) -> _StoredCases:
        ids = [case.pk for case in cases]
        by_pk = {case.pk: case for case in cases}
        items: dict[int, list[CaseItem]] = {pk: [] for pk in ids}
        region_ids: dict[int, set[int]] = {pk: set() for pk in ids}
        records: dict[int, dict[Record, str]] = {pk: {} for pk in ids}
        record_ids: dict[int, dict[Record, int]] = {pk: {} for pk in ids}
        if ids:
            for item in CaseItem.objects.filter(case_id__in=ids).order_by("case", "section", "position", "pk"):
                item.case = by_pk[item.case_id]
                items[item.case_id].append(item)
            links = Case.regions.through.objects.filter(case_id__in=ids).values_list("case_id", "region_id")
            for case_id, region_id in links:
                region_ids[case_id].add(region_id)
            texts = ImportedText.objects.filter(case_id__in=ids)
            for pk, case_id, section, position, name, digest in texts.values_list(
                "pk", "case_id", "section", "position", "field", "digest"
            ):
                records[case_id][(section, position, name)] = digest
                record_ids[case_id][(section, position, name)] = pk
        return cls(items, region_ids, records, record_ids)


@dataclass
class _Writes:
    """Everything an import writes, gathered case by case and written at the end in bulk (:meth:`save`)."""

    stored: _StoredCases
    created: list[Case] = field(default_factory=list)
    created_regions: dict[int, list[Region]] = field(default_factory=dict)  # by the position in ``created``
    touched: list[Case] = field(default_factory=list)  # existing cases written: their version is counted
    regions: dict[int, list[Region]] = field(default_factory=dict)  # existing case id → its new regions
    new_items: list[CaseItem] = field(default_factory=list)
    changed_items: list[CaseItem] = field(default_factory=list)
    removed_items: list[int] = field(default_factory=list)
    records: list[tuple[Case, dict[Record, str]]] = field(default_factory=list)  # new and changed, by case
    stale_records: list[int] = field(default_factory=list)  # records of texts no longer in the source

    def save(self) -> None:
        """Write it all with a fixed number of queries; the cases written are reported with ``cases_changed``."""
        touched_ids = [case.pk for case in self.touched]
        if reversion.is_active() and touched_ids:
            record_unversioned(touched_ids)  # their text before this import, so it can be restored
        Case.objects.bulk_create(self.created, batch_size=BATCH_SIZE)
        now = timezone.now()
        for case in self.touched:
            case.version += 1  # counted under the row lock taken when the import read the case (see case_touch)
            case.updated_at = now
        _update_rows(Case, self.touched, ["title", "provider", "summary", "version", "updated_at"])
        links = Case.regions.through
        links.objects.filter(case_id__in=list(self.regions)).delete()
        new_links = [(case.pk, self.created_regions[index]) for index, case in enumerate(self.created)]
        new_links += list(self.regions.items())
        links.objects.bulk_create(
            [links(case_id=case_id, region_id=region.pk) for case_id, regions in new_links for region in regions],
            batch_size=BATCH_SIZE,
        )
        if self.removed_items:
            CaseItem.objects.filter(pk__in=self.removed_items).delete()
        _update_rows(CaseItem, self.changed_items, ["heading", "body", "numbered"])
        CaseItem.objects.bulk_create(self.new_items, batch_size=BATCH_SIZE)
        if self.stale_records:
            ImportedText.objects.filter(pk__in=self.stale_records).delete()
        ImportedText.objects.bulk_create(
            [
                ImportedText(case=case, section=section, position=position, field=name, digest=digest)
                for case, records in self.records
                for (section, position, name), digest in records.items()
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["case", "section", "position", "field"],
            update_fields=["digest"],
        )
        written = sorted([case.pk for case in self.created] + touched_ids)
        if written:
            cases_changed.send(sender=Case, case_ids=written)
            if reversion.is_active():
                record_revision(written)  # as reversion records a case it sees saved, in bulk


def _update_rows(model: type[models.Model], objects: list[models.Model], fields: list[str]) -> None:
    """Write these fields of each object by its primary key: one prepared ``UPDATE`` run for every row.

    ``bulk_update`` builds a ``CASE`` over the whole batch for each field, which
    the database then evaluates for every row: a thousand changed items took
    seconds where this takes a fraction of one.
    """
    if not objects:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _merged_regions(
    stored: set[int], replaced_provider: str, source: list[Region], lookup: dict[str, Region]
) -> list[Region]:
    """The case's regions when the source's provider line replaces ``replaced_provider``: the regions that line
    added or dropped are added or dropped, and those an editor added or dropped by hand stay as the editor left
    them (a three-way merge of sets). When the replaced line names a region no longer known by that name (renamed
    since), what it named cannot be told: the source's regions are taken, as they would be for a new case."""
    named = provider_names(replaced_provider)
    if not named or any(name not in lookup for name in named):
        return source
    before = {lookup[name].pk for name in named}
    after = {region.pk for region in source}
    merged = (stored - (before - after)) | (after - before)
    by_pk = {region.pk: region for region in lookup.values()}
    kept_by_hand = [by_pk[pk] for pk in sorted(merged - after) if pk in by_pk]
    return [region for region in source if region.pk in merged] + kept_by_hand


def _new_case(
    parsed: ParsedCase, collection: Collection, regions: list[Region], new_case_status: str | None, writes: _Writes
) -> CaseChange:
    case = Case(collection=collection, number=parsed.number, title=parsed.title, provider=parsed.provider)
    case.summary = parsed.summary
    if new_case_status:
        case.status = new_case_status
    case.clean_fields(exclude=["collection"])  # the collection exists; the number is new (the rows are locked)
    for parsed_item in parsed.items:
        item = CaseItem(case=case, section=parsed_item.section, position=parsed_item.position)
        item.heading, item.body, item.numbered = parsed_item.heading, parsed_item.body, parsed_item.numbered
        item.clean_fields(exclude=["case"])
        writes.new_items.append(item)
    writes.created_regions[len(writes.created)] = regions
    writes.created.append(case)
    writes.records.append((case, _source_records(parsed)))
    counts = tuple(len(parsed.items_in(section)) for section in CaseItem.Section.values)
    return CaseChange(parsed.number, parsed.title, [r.full_name for r in regions], counts, "created")


def _existing_case(
    parsed: ParsedCase,
    case: Case,
    regions: list[Region],
    take_source: Container[str],
    writes: _Writes,
    lookup: dict[str, Region],
) -> CaseChange:
    """Compare one existing case with the source (three ways, see :func:`_merge`) and note what is to be written."""
    records = writes.stored.records[case.pk]
    replaced_provider = case.provider

    def last(section: int, position: int, name: str) -> str | None:
        # A case imported with records: a slot without one was empty at the last import.
        return records.get((section, position, name), text_digest("") if records else None)

    texts: list[TextOutcome] = []
    for name in CASE_TEXT_FIELDS:
        outcome = _merge(
            number=parsed.number,
            key=name,
            label=str(Case._meta.get_field(name).verbose_name),
            current=getattr(case, name),
            source=getattr(parsed, name),
            last=last(0, 0, name),
            take_source=take_source,
        )
        if outcome:
            texts.append(outcome)

    existing = _aligned_items(writes.stored.items[case.pk], records)
    wanted = {(item.section, item.position): item for item in parsed.items}
    item_texts: dict[tuple[int, int], dict[str, str | bool]] = {}
    for place in sorted(existing.keys() | wanted.keys()):
        section, position = place
        for part, part_label in ITEM_PARTS.items():
            outcome = _merge(
                number=parsed.number,
                key=f"{section}.{position}.{part}",
                label=f"{CaseItem.Section(section).label}第 {position} 条·{part_label}",
                current=getattr(existing[place], part) if place in existing else "",
                source=getattr(wanted[place], part) if place in wanted else "",
                last=last(section, position, part),
                take_source=take_source,
            )
            if outcome:
                texts.append(outcome)
                if outcome.kind in ("updated", "taken"):
                    item_texts.setdefault(place, {})[part] = outcome.source

    for place, parts in item_texts.items():  # a new item is numbered as the source numbers it; an item keeps
        if place in wanted and place not in existing:  # its own numbering, which an editor may have changed
            parts["numbered"] = wanted[place].numbered
    updates = {text.key: text.source for text in texts if text.kind in ("updated", "taken") and "." not in text.key}
    stored_regions = writes.stored.region_ids[case.pk]
    if "provider" in updates:
        regions = _merged_regions(stored_regions, replaced_provider, regions, lookup)
    regions_differ = "provider" in updates and stored_regions != {r.pk for r in regions}
    changed: list[str] = []
    if updates:
        for name, value in updates.items():
            setattr(case, name, value)
        case.clean_fields(exclude=["collection"])
        changed += [name for name in CASE_TEXT_FIELDS if name in updates]
    if regions_differ:
        writes.regions[case.pk] = regions
        changed.append("regions")
    if item_texts:
        _item_writes(case, existing, item_texts, writes)
        changed.append("items")
    if changed:
        writes.touched.append(case)
    source_records = _source_records(parsed)
    changed_records = {key: digest for key, digest in source_records.items() if records.get(key) != digest}
    if changed_records:
        writes.records.append((case, changed_records))
    writes.stale_records += [pk for key, pk in writes.stored.record_ids[case.pk].items() if key not in source_records]
    return CaseChange(
        number=parsed.number,
        title=parsed.title,
        regions=[region.full_name for region in regions],
        item_counts=tuple(len(parsed.items_in(section)) for section in CaseItem.Section.values),
        action="updated" if changed else "unchanged",
        changed_fields=changed,
        texts=texts,
    )


def _aligned_items(items: list[CaseItem], records: dict[Record, str]) -> dict[tuple[int, int], CaseItem]:
    """Each place (section, position) of the last import with the item that holds its text now.

    An item whose heading and body are still those imported at a place is that
    place's, wherever an editor's insertion, deletion or reordering has moved it.
    Between two such items, the places left and the items left are paired only
    when each item sits at its place's position (changed in place); otherwise
    (an editor also inserted, deleted or moved items there) none is paired: a
    place is then compared as deleted and an item kept as the editor's, so that
    no item is compared with, or written over by, another one's text. Items past the places
    imported (an editor's additions) keep their own positions. Without records
    (a case imported before they were kept), items are matched by position.
    """
    places = sorted({(section, position) for section, position, _ in records if section})
    if not places:
        aligned: dict[tuple[int, int], CaseItem] = {}
        for item in items:
            aligned.setdefault((item.section, item.position), item)  # items sharing a place: the first
        return aligned
    by_text: dict[tuple[int, str | None, str | None], list[tuple[int, int]]] = {}
    for section, position in places:
        key = (section, records.get((section, position, "heading")), records.get((section, position, "body")))
        by_text.setdefault(key, []).append((section, position))
    ordered = sorted(items, key=lambda item: (item.section, item.position, item.pk or 0))
    aligned = {}
    for item in ordered:
        texts = by_text.get((item.section, text_digest(item.heading), text_digest(item.body)), [])
        free = [place for place in texts if place not in aligned]
        if free:  # the nearest of the places that imported this text
            aligned[min(free, key=lambda place: (abs(place[1] - item.position), place))] = item
    for section in {section for section, _ in places} | {item.section for item in items}:
        _pair_gaps(section, places, ordered, aligned)
    imported = set(places)
    taken = {id(item) for item in aligned.values()}
    for item in ordered:  # an editor's additions past the places imported
        place = (item.section, item.position)
        if id(item) not in taken and place not in imported and place not in aligned:
            aligned[place] = item
    return aligned


def _pair_gaps(
    section: int, places: list[tuple[int, int]], ordered: list[CaseItem], aligned: dict[tuple[int, int], CaseItem]
) -> None:
    """In one section, pair the places and items not aligned yet that lie between the same two aligned ones,
    where each item still sits at its place's position (changed in place).

    The bounds are the aligned items that keep the imported order (the longest such run): an item an editor
    moved bounds nothing, so the gaps never overlap and no item is paired twice.
    """
    index_of = {id(item): index for index, item in enumerate(ordered)}
    anchors = _in_imported_order(sorted((p, index_of[id(item)]) for p, item in aligned.items() if p[0] == section))
    taken = {id(item) for item in aligned.values()}
    bounds = [((section, 0), -1), *anchors, ((section, 1 << 30), len(ordered))]
    for (low_place, low_index), (high_place, high_index) in itertools.pairwise(bounds):
        gap_places = [p for p in places if p[0] == section and low_place < p < high_place and p not in aligned]
        gap_items = [
            item for item in ordered[low_index + 1 : high_index] if item.section == section and id(item) not in taken
        ]
        in_place = [place[1] for place in gap_places] == [item.position for item in gap_items]
        if gap_places and in_place:
            aligned.update(zip(gap_places, gap_items, strict=True))
            taken.update(id(item) for item in gap_items)


def _in_imported_order(anchors: list[tuple[tuple[int, int], int]]) -> list[tuple[tuple[int, int], int]]:
    """The longest run of (place, index) pairs, in place order, whose indices rise too (patience sorting)."""
    tails: list[int] = []  # tails[k]: the position in ``anchors`` that ends the best run of length k + 1
    tail_indices: list[int] = []  # the index each of those ends on, rising
    previous: list[int | None] = []
    for position, (_, index) in enumerate(anchors):
        k = bisect.bisect_left(tail_indices, index)
        previous.append(tails[k - 1] if k else None)
        if k == len(tails):
            tails.append(position)
            tail_indices.append(index)
        else:
            tails[k], tail_indices[k] = position, index
    run: list[tuple[tuple[int, int], int]] = []
    at = tails[-1] if tails else None
    while at is not None:
        run.append(anchors[at])
        at = previous[at]
    return run[::-1]


def _item_writes(
    case: Case, existing: dict[tuple[int, int], CaseItem], texts: dict[tuple[int, int], dict], writes: _Writes
) -> None:
    """The source's parts written into items, creating an item the source added and deleting one left empty."""
    for (section, position), parts in texts.items():
        item = existing.get((section, position)) or CaseItem(case=case, section=section, position=position)
        for part, value in parts.items():
            setattr(item, part, value)
        if not item.heading and not item.body:
            if item.pk:
                writes.removed_items.append(item.pk)
            continue
        item.clean_fields(exclude=["case"])
        (writes.changed_items if item.pk else writes.new_items).append(item)


def _source_records(parsed: ParsedCase) -> dict[Record, str]:
    """The digests of the source's texts, to be recorded as the case's last imported ones."""
    records = {(0, 0, name): text_digest(getattr(parsed, name)) for name in CASE_TEXT_FIELDS}
    for item in parsed.items:
        for part in ITEM_PARTS:
            records[(item.section, item.position, part)] = text_digest(getattr(item, part))
    return records


def imported_texts_remember(*, case_ids: Iterable[int]) -> None:
    """Record these cases' current texts as the ones last imported (after loading cases the importer wrote)."""
    with transaction.atomic():
        cases = Case.objects.filter(pk__in=list(case_ids)).prefetch_related("items")
        ImportedText.objects.filter(case__in=cases).delete()
        rows = []
        for case in cases:
            rows += [
                ImportedText(case=case, field=name, digest=text_digest(getattr(case, name)))
                for name in CASE_TEXT_FIELDS
            ]
            for item in case.items.all():
                rows += [
                    ImportedText(
                        case=case,
                        section=item.section,
                        position=item.position,
                        field=part,
                        digest=text_digest(getattr(item, part)),
                    )
                    for part in ITEM_PARTS
                ]
        ImportedText.objects.bulk_create(rows, ignore_conflicts=True)


def case_items_renumber(*, case: Case, moved: Iterable[int] = ()) -> int:
    """Number each section's items 1, 2, 3, … after an editor's reorder; returns how many items changed.

    Items in ``moved`` (given a new position or section, or just added) are
    placed at the position they were given, the others keep their order
    around them: moving item 5 to position 2 puts it second and shifts the old
    2, 3, 4 down. Position 0 puts an item first.
    """
    moved = set(moved)
    changed = 0
    with transaction.atomic():
        for section in CaseItem.Section.values:
            items = list(case.items.filter(section=section).order_by("position", "pk"))
            ordered = [item for item in items if item.pk not in moved]
            for item in sorted((item for item in items if item.pk in moved), key=lambda item: (item.position, item.pk)):
                ordered.insert(max(item.position - 1, 0), item)
            for position, item in enumerate(ordered, start=1):
                if item.position != position:
                    item.position = position
                    item.full_clean(exclude=["case"])
                    item.save(update_fields=["position"])
                    changed += 1
    return changed


def cases_set_status(*, case_ids: Iterable[int], status: str) -> int:
    """Publish or withdraw these cases with set operations; returns how many changed.

    Cases already in ``status`` are left as they are. ``case_ids`` may be a
    query (the admin's "select all"). The index hears of the change through
    :data:`cases.signals.cases_changed`; inside an open revision the changed
    cases are recorded with its user and comment (see :func:`_add_to_revision`).
    """
    Case._meta.get_field("status").clean(status, None)  # one of Case.Status, or ValidationError
    with transaction.atomic():
        changing = Case.objects.filter(pk__in=case_ids).exclude(status=status)
        ids = list(changing.order_by("pk").select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        if reversion.is_active():
            record_unversioned(ids)
        now = timezone.now()
        for chunk in _chunks(ids):
            Case.objects.filter(pk__in=chunk).update(status=status, updated_at=now, version=F("version") + 1)
        _add_to_revision(ids)
        cases_changed.send(sender=Case, case_ids=ids, fields=["status", "updated_at", "version"])
    return len(ids)


def labelled_case_count(label: Topic | Region) -> int:
    """How many cases carry a topic or region (a province: with its cities and new areas).

    Renaming it, or merging or deleting a topic, reindexes the labels of each of them.
    """
    cases = Case.objects.in_regions([label]) if isinstance(label, Region) else label.cases.all()
    return cases.count()


def relabel_refusal(labels: Iterable[Topic | Region], action: str) -> str:
    """Why an admin request may not rename, merge or delete these labels, or "" when it may.

    Each case they label is reindexed within the request, which beyond ``ADMIN_BULK_MAX_CASES``
    cases could outlast the worker's timeout; the message names the command that does it
    with progress instead (``manage.py relabel``).
    """
    labels = list(labels)
    count, limit = sum(labelled_case_count(label) for label in labels), settings.ADMIN_BULK_MAX_CASES
    if count <= limit:
        return ""
    return (
        f"{action}要重建 {count} 个案例的检索索引，超过一次网页请求可处理的 {limit} 个，没有改动。"
        "请在服务器上用命令完成（显示进度）：python manage.py relabel --help"
    )


def topics_merge(*, target: Topic, others: Iterable[Topic]) -> set[int]:
    """Move the cases of ``others`` to ``target`` and delete ``others``; returns the ids of the cases affected.

    Inside an open revision the affected cases are recorded with their new topics (see :func:`_add_to_revision`).
    """
    other_ids = [topic.pk for topic in others if topic.pk != target.pk]
    with transaction.atomic():
        affected = set(
            Case.topics.through.objects.filter(topic_id__in=other_ids).values_list("case_id", flat=True).distinct()
        )
        if reversion.is_active():
            record_unversioned(affected)
        for chunk in _chunks(sorted(affected)):
            Case.objects.filter(pk__in=chunk).update(version=F("version") + 1)
        target.cases.add(*affected)
        Topic.objects.filter(pk__in=other_ids).delete()
        _add_to_revision(sorted(affected))
    return affected


CHUNK_SIZE = 500  # cases per statement of a set operation


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK_SIZE):
        yield ids[start : start + CHUNK_SIZE]


def _add_to_revision(ids: list[int]) -> None:
    """Inside an open revision, record these cases with their items, with its user and comment (set them first).

    They are written as a revision of their own, in bulk (:func:`record_revision`):
    through ``reversion.add_to_revision`` thousands of cases take longer than a request may.
    """
    if reversion.is_active():
        record_revision(ids, comment=reversion.get_comment(), user=reversion.get_user())
