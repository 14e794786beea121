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

from collections.abc import Iterable
from dataclasses import dataclass, field

import reversion
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from regions.models import Region

from .history.snapshots import record_unversioned
from .importer import DocumentError, ParsedCase
from .models import Case, CaseItem, Collection, Topic
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
class CaseChange:
    number: int
    title: str
    regions: list[str]
    item_counts: tuple[int, int, int]
    action: str  # "created", "updated" or "unchanged"
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    collection: Collection
    changes: list[CaseChange]
    dry_run: bool

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


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
    """
    numbers = [parsed.number for parsed in parsed_cases]
    with transaction.atomic():
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
        changes = [_import_case(parsed, collection, regions[parsed.number], new_case_status) for parsed in parsed_cases]
        if dry_run:
            transaction.set_rollback(True)
    return ImportReport(collection=collection, changes=changes, dry_run=dry_run)


def import_versions(*, collection: Collection | None, numbers: Iterable[int]) -> dict[int, int]:
    """The current version of each existing case of ``collection`` with these numbers (for an import's preview)."""
    if collection is None or collection.pk is None:
        return {}
    cases = Case.objects.filter(collection=collection, number__in=list(numbers))
    return dict(cases.values_list("number", "version"))


def _import_case(
    parsed: ParsedCase, collection: Collection, regions: list[Region], new_case_status: str | None
) -> CaseChange:
    case = Case.objects.filter(collection=collection, number=parsed.number).first()
    action = "updated"
    if case is None:
        case = Case(collection=collection, number=parsed.number)
        if new_case_status:
            case.status = new_case_status
        action = "created"
    changed = [
        name
        for name, value in (("title", parsed.title), ("provider", parsed.provider), ("summary", parsed.summary))
        if getattr(case, name) != value
    ]
    regions_differ = action == "created" or {r.pk for r in case.regions.all()} != {r.pk for r in regions}
    items_differ = action == "created" or _items_differ(case, parsed)
    if action == "updated" and (changed or regions_differ or items_differ):
        case_touch(case=case)
    for name in changed:
        setattr(case, name, getattr(parsed, name))
    if action == "created" or changed:
        case.full_clean(exclude=["regions", "topics"])
        case.save()
    if regions_differ:
        case.regions.set(regions)
        changed.append("regions")
    if items_differ and _sync_items(case, parsed):
        changed.append("items")
    if action == "updated" and not changed:
        action = "unchanged"
    return CaseChange(
        number=parsed.number,
        title=parsed.title,
        regions=[region.full_name for region in regions],
        item_counts=tuple(len(parsed.items_in(section)) for section in CaseItem.Section.values),
        action=action,
        changed_fields=changed if action == "updated" else [],
    )


def _items_differ(case: Case, parsed: ParsedCase) -> bool:
    """Whether :func:`_sync_items` would change anything (the importer numbers each section's items uniquely)."""
    existing = sorted(
        (item.section, item.position, item.heading, item.body, item.numbered) for item in case.items.all()
    )
    wanted = sorted((item.section, item.position, item.heading, item.body, item.numbered) for item in parsed.items)
    return existing != wanted


def _sync_items(case: Case, parsed: ParsedCase) -> bool:
    """Make the case's items equal the parsed ones, updating rows in place. True if anything changed."""
    existing: dict[tuple[int, int], CaseItem] = {}
    surplus: list[CaseItem] = []  # items sharing a position after an editor's reorder
    for item in case.items.all():
        key = (item.section, item.position)
        if key in existing:
            surplus.append(item)
        else:
            existing[key] = item
    changed = False
    for parsed_item in parsed.items:
        key = (parsed_item.section, parsed_item.position)
        item = existing.pop(key, None)
        if item is None:
            item = CaseItem(case=case, section=parsed_item.section, position=parsed_item.position)
        elif (item.heading, item.body, item.numbered) == (parsed_item.heading, parsed_item.body, parsed_item.numbered):
            continue
        item.heading, item.body, item.numbered = parsed_item.heading, parsed_item.body, parsed_item.numbered
        item.full_clean()
        item.save()
        changed = True
    leftover = [*existing.values(), *surplus]
    if leftover:
        CaseItem.objects.filter(pk__in=[item.pk for item in leftover]).delete()
        changed = True
    return changed


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
    """Publish or withdraw these cases in one UPDATE; returns how many changed.

    Cases already in ``status`` are left as they are. The index hears of the
    change through :data:`cases.signals.cases_changed`; inside an open
    revision the changed cases join it, as their saves would.
    """
    Case._meta.get_field("status").clean(status, None)  # one of Case.Status, or ValidationError
    with transaction.atomic():
        changing = Case.objects.filter(pk__in=set(case_ids)).exclude(status=status)
        ids = list(changing.order_by("pk").select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        if reversion.is_active():
            record_unversioned(ids)
        Case.objects.filter(pk__in=ids).update(status=status, updated_at=timezone.now(), version=F("version") + 1)
        if reversion.is_active():
            for case in Case.objects.filter(pk__in=ids):
                reversion.add_to_revision(case)
        cases_changed.send(sender=Case, case_ids=ids)
    return len(ids)


def topics_merge(*, target: Topic, others: Iterable[Topic]) -> set[int]:
    """Move the cases of ``others`` to ``target`` and delete ``others``; returns the ids of the cases affected.

    Inside an open revision the affected cases join it, with their new topics.
    """
    other_ids = [topic.pk for topic in others if topic.pk != target.pk]
    with transaction.atomic():
        affected = set(
            Case.topics.through.objects.filter(topic_id__in=other_ids).values_list("case_id", flat=True).distinct()
        )
        if reversion.is_active():
            record_unversioned(affected)
        Case.objects.filter(pk__in=sorted(affected)).update(version=F("version") + 1)
        target.cases.add(*affected)
        Topic.objects.filter(pk__in=other_ids).delete()
        if reversion.is_active():
            for case in Case.objects.filter(pk__in=affected):
                reversion.add_to_revision(case)
    return affected
