"""Writes to cases: importing parsed documents, publishing, reordering items, merging topics.

Each service runs in one transaction. The search index follows through signals
(Django's model signals, and :data:`cases.signals.cases_changed` for set
operations); a caller starting bulk work runs it in the index's batch so each
case is reindexed once, at the end. Inside an open ``reversion`` revision, the
services that change existing cases first record those without a revision yet
(:func:`cases.history.snapshots.record_unversioned`), so their earlier text can
be restored. Each write that changes a case or its items counts a new
``Case.version`` first (:func:`case_touch`), which also locks the case's row;
writes of several cases lock them in id order.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field

import reversion
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from regions.models import Region

from .history.snapshots import record_revision, record_unversioned
from .importer import DocumentError, ParsedCase
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


def resolve_regions(parsed_cases: list[ParsedCase]) -> dict[int, list[Region]]:
    """Regions of each case by number; a provider naming an unknown region is an error."""
    lookup = region_lookup()
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
    (the model's default when None). With ``dry_run`` everything is computed,
    then rolled back (a caller batching reindexes drops them for a dry run).

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
    """
    numbers = [parsed.number for parsed in parsed_cases]
    with transaction.atomic():
        if run_token is not None:
            _start_run(run_token)
        if collection.pk is None:
            collection.full_clean()
            collection.save()
        else:
            # Locked in id order, as every save locks its case, until the import commits.
            existing = Case.objects.filter(collection=collection, number__in=numbers).order_by("pk")
            current = dict(existing.select_for_update().values_list("number", "version"))
            if expected_versions is not None:
                changed = sorted(
                    n for n in set(current) | set(expected_versions) if current.get(n) != expected_versions.get(n)
                )
                if changed:
                    raise ImportConflict(changed)
            if reversion.is_active() and not dry_run:
                record_unversioned(existing.values_list("pk", flat=True))
        regions = resolve_regions(parsed_cases)
        changes = [
            _import_case(parsed, collection, regions[parsed.number], new_case_status, take_source)
            for parsed in parsed_cases
        ]
        if run_token is not None:
            ImportRun.objects.filter(token=run_token).update(collection=collection)
        if dry_run:
            transaction.set_rollback(True)
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


def _import_case(
    parsed: ParsedCase,
    collection: Collection,
    regions: list[Region],
    new_case_status: str | None,
    take_source: Container[str],
) -> CaseChange:
    counts = tuple(len(parsed.items_in(section)) for section in CaseItem.Section.values)
    case = Case.objects.filter(collection=collection, number=parsed.number).first()
    if case is None:
        case = Case(collection=collection, number=parsed.number, title=parsed.title, provider=parsed.provider)
        case.summary = parsed.summary
        if new_case_status:
            case.status = new_case_status
        case.full_clean(exclude=["regions", "topics"])
        case.save()
        case.regions.set(regions)
        for parsed_item in parsed.items:
            item = CaseItem(case=case, section=parsed_item.section, position=parsed_item.position)
            item.heading, item.body, item.numbered = parsed_item.heading, parsed_item.body, parsed_item.numbered
            item.full_clean()
            item.save()
        _remember_import(case, parsed)
        return CaseChange(parsed.number, parsed.title, [r.full_name for r in regions], counts, "created")

    records = {
        (section, position, name): digest
        for section, position, name, digest in case.imported_texts.values_list("section", "position", "field", "digest")
    }

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

    existing: dict[tuple[int, int], CaseItem] = {}
    for item in case.items.all():
        existing.setdefault((item.section, item.position), item)  # items sharing a place after a reorder: the first
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

    for place, parts in item_texts.items():  # a written item is numbered as the source numbers it
        if place in wanted:
            parts["numbered"] = wanted[place].numbered
    writes = {text.key: text.source for text in texts if text.kind in ("updated", "taken") and "." not in text.key}
    regions_differ = "provider" in writes and {r.pk for r in case.regions.all()} != {r.pk for r in regions}
    changed: list[str] = []
    if writes or regions_differ or item_texts:
        case_touch(case=case)
    if writes:
        for name, value in writes.items():
            setattr(case, name, value)
        case.full_clean(exclude=["regions", "topics"])
        case.save()
        changed += [name for name in CASE_TEXT_FIELDS if name in writes]
    if regions_differ:
        case.regions.set(regions)
        changed.append("regions")
    if item_texts:
        _write_items(case, existing, item_texts)
        changed.append("items")
    _remember_import(case, parsed)
    return CaseChange(
        number=parsed.number,
        title=parsed.title,
        regions=[region.full_name for region in regions],
        item_counts=counts,
        action="updated" if changed else "unchanged",
        changed_fields=changed,
        texts=texts,
    )


def _write_items(case: Case, existing: dict[tuple[int, int], CaseItem], texts: dict[tuple[int, int], dict]) -> None:
    """Write the source's parts into items, creating an item the source added and deleting one left empty."""
    for (section, position), parts in texts.items():
        item = existing.get((section, position)) or CaseItem(case=case, section=section, position=position)
        for part, value in parts.items():
            setattr(item, part, value)
        if not item.heading and not item.body:
            if item.pk:
                item.delete()
            continue
        item.full_clean()
        item.save()


def _remember_import(case: Case, parsed: ParsedCase) -> None:
    """Record the digests of the source's texts as the case's last imported ones."""
    rows = [ImportedText(case=case, field=name, digest=text_digest(getattr(parsed, name))) for name in CASE_TEXT_FIELDS]
    for item in parsed.items:
        for part in ITEM_PARTS:
            rows.append(
                ImportedText(
                    case=case,
                    section=item.section,
                    position=item.position,
                    field=part,
                    digest=text_digest(getattr(item, part)),
                )
            )
    ImportedText.objects.filter(case=case).delete()
    ImportedText.objects.bulk_create(rows)


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
