"""Revision history of cases and their items: snapshots, differences and restore.

Why django-reversion rather than django-simple-history
-------------------------------------------------------
An editor thinks of "the case as it was last Tuesday": its texts *and* its
items, in their order. django-reversion saves everything written in one
request as one *revision*: ``Case`` is registered to follow its ``items`` and
each ``CaseItem`` to follow its ``case`` (see the bottom of ``cases.models``),
so whichever of them an edit touches, the revision holds the whole case with
every item it had at that moment. Comparing and restoring is then a matter of
reading one revision.

django-simple-history keeps a separate history table per model, each row
stamped with its own time. Rebuilding a case with its items means guessing
which item rows belong with which case row (an admin save writes the case
first and its items a few milliseconds later), and items deleted in the same
save have to be inferred. That is workable, but error-prone exactly where a
restore has to be right.

What a restore does
-------------------
:func:`restore_case` brings back the title, provider, summary, regions,
topics and items (text, section and order; deleted items are recreated,
items added since are removed). It does not change the case's status,
collection or number: publishing is a separate decision (the 发布 / 撤回为草稿
actions), and the number identifies the case within its collection for the
importer. Regions or topics deleted since are skipped. The restore is itself
saved as a new revision, so it can be undone, and the search index follows
(the saves go through the usual signals, in one batch).

Cases loaded from fixtures or written by the command-line importer have no
revision yet; :func:`record_unversioned` saves their current state as a first
revision just before the admin changes them, so the text before an editor's
first edit can always be restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import router, transaction
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Revision, Version

from regions.models import Region

from .models import Case, CaseItem, Collection, Topic

INITIAL_COMMENT = "首次修改前的内容（自动记录）"
RESTORED_FIELDS = ("title", "provider", "summary")
SHOWN_FIELDS = ("number", "title", "provider", "summary", "status", "collection_id")
DIFF_CONTEXT = 40  # characters of unchanged text kept around each change


@dataclass(frozen=True)
class ItemState:
    pk: int
    section: int
    position: int
    heading: str
    body: str

    @property
    def place(self) -> str:
        return f"{CaseItem.Section(self.section).label} 第 {self.position} 条"


@dataclass
class CaseState:
    """What a revision (or the database now) says about one case."""

    fields: dict[str, Any]
    regions: list[int]
    topics: list[int]
    items: list[ItemState]

    def items_in_order(self) -> list[ItemState]:
        return sorted(self.items, key=lambda item: (item.section, item.position, item.pk))


def case_versions(case: Case) -> list[Version]:
    """The case's versions, newest first, with their revisions and users."""
    return list(Version.objects.get_for_object(case).select_related("revision__user").order_by("-pk"))


def previous_version(version: Version) -> Version | None:
    return (
        Version.objects.get_for_object_reference(Case, version.object_id)
        .filter(pk__lt=version.pk)
        .select_related("revision__user")
        .order_by("-pk")
        .first()
    )


def state_of_case(case: Case) -> CaseState:
    return CaseState(
        fields={name: getattr(case, name) for name in SHOWN_FIELDS},
        regions=sorted(case.regions.values_list("pk", flat=True)),
        topics=sorted(case.topics.values_list("pk", flat=True)),
        items=[
            ItemState(item.pk, item.section, item.position, item.heading, item.body)
            for item in CaseItem.objects.filter(case=case)
        ],
    )


def state_of_version(version: Version) -> CaseState:
    """The case and its items as the version's revision saved them."""
    data = version.field_dict
    case_pk = int(version.object_id)
    item_type = ContentType.objects.get_for_model(CaseItem)
    items = []
    for item_version in version.revision.version_set.filter(content_type=item_type):
        item = item_version.field_dict
        if item["case_id"] == case_pk:
            items.append(
                ItemState(int(item_version.object_id), item["section"], item["position"], item["heading"], item["body"])
            )
    return CaseState(
        fields={name: data.get(name) for name in SHOWN_FIELDS},
        regions=sorted(data.get("regions", [])),
        topics=sorted(data.get("topics", [])),
        items=items,
    )


# Differences -----------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    html: SafeString


@dataclass
class ItemChange:
    kind: str  # "added", "removed", "changed" or "moved"
    place: str
    moved_from: str
    heading: SafeString
    body: SafeString

    @property
    def kind_label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改", "moved": "移动"}[self.kind]


@dataclass
class CaseDiff:
    fields: list[FieldChange] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)
    unchanged_items: int = 0

    def __bool__(self) -> bool:
        return bool(self.fields or self.items)


def inline_diff(old: str, new: str, context: int = DIFF_CONTEXT) -> SafeString:
    """``old`` → ``new`` as escaped HTML with <del> and <ins>, character by character (Chinese has no spaces).

    Long unchanged stretches are shortened to ``context`` characters around each change.
    """
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(escape(_elide(old[i1:i2], context, first=index == 0, last=index == len(opcodes) - 1)))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def _elide(text: str, context: int, *, first: bool, last: bool) -> str:
    if first and last:
        return text
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(text) <= keep_head + keep_tail + 1:
        return text
    return text[:keep_head] + "……" + (text[-keep_tail:] if keep_tail else "")


def _labels_diff(old: list[int], new: list[int], names: dict[int, str]) -> SafeString:
    def name(pk: int) -> str:
        return names.get(pk, f"（已删除，编号 {pk}）")

    parts = [(("del", name(pk)) if pk not in new else ("span", name(pk))) for pk in old]
    parts += [("ins", name(pk)) for pk in new if pk not in old]
    return format_html_join("、", "<{0}>{1}</{0}>", parts)


def compare(old: CaseState, new: CaseState) -> CaseDiff:
    """What changed from ``old`` to ``new``: fields, labels and items (matched by identity)."""
    diff = CaseDiff()
    for name in SHOWN_FIELDS:
        before, after = old.fields.get(name), new.fields.get(name)
        if before == after:
            continue
        label = Case._meta.get_field(name.removesuffix("_id")).verbose_name
        if name == "status":
            html = format_html("<del>{}</del> → <ins>{}</ins>", _status_label(before), _status_label(after))
        elif name == "collection_id":
            titles = dict(Collection.objects.filter(pk__in=[before, after]).values_list("pk", "title"))
            html = format_html("<del>{}</del> → <ins>{}</ins>", titles.get(before, "—"), titles.get(after, "—"))
        elif name == "number":
            html = format_html("<del>{}</del> → <ins>{}</ins>", before, after)
        else:
            html = inline_diff(before or "", after or "")
        diff.fields.append(FieldChange(str(label), html))
    for name, model in (("regions", Region), ("topics", Topic)):
        before, after = getattr(old, name), getattr(new, name)
        if set(before) != set(after):
            names = {obj.pk: str(obj) for obj in _label_objects(model, {*before, *after})}
            label = Case._meta.get_field(name).verbose_name
            diff.fields.append(FieldChange(str(label), _labels_diff(before, after, names)))
    _compare_items(old, new, diff)
    return diff


def _label_objects(model: type, pks: set[int]) -> Iterable:
    queryset = model.objects.filter(pk__in=pks)
    return queryset.select_related("parent") if model is Region else queryset


def _status_label(value: str | None) -> str:
    return Case.Status(value).label if value in Case.Status.values else "—"


def _compare_items(old: CaseState, new: CaseState, diff: CaseDiff) -> None:
    before = {item.pk: item for item in old.items}
    after = {item.pk: item for item in new.items}
    moved = _moved_items(old, new)
    changes: list[tuple[tuple, ItemChange]] = []
    for item in new.items_in_order():
        was = before.get(item.pk)
        if was is None:
            changes.append(
                (
                    (item.section, item.position),
                    ItemChange("added", item.place, "", _whole(item.heading, "ins"), _whole(item.body, "ins")),
                )
            )
            continue
        text_changed = (was.heading, was.body) != (item.heading, item.body)
        if not text_changed and item.pk not in moved:
            diff.unchanged_items += 1
            continue
        changes.append(
            (
                (item.section, item.position),
                ItemChange(
                    "changed" if text_changed else "moved",
                    item.place,
                    was.place if item.pk in moved else "",
                    inline_diff(was.heading, item.heading) if text_changed else escape(item.heading),
                    inline_diff(was.body, item.body)
                    if text_changed
                    else escape(_elide(item.body, DIFF_CONTEXT * 2, first=False, last=True)),
                ),
            )
        )
    for item in old.items_in_order():
        if item.pk not in after:
            changes.append(
                (
                    (item.section, item.position),
                    ItemChange("removed", item.place, "", _whole(item.heading, "del"), _whole(item.body, "del")),
                )
            )
    diff.items = [change for _, change in sorted(changes, key=lambda pair: pair[0])]


def _whole(text: str, tag: str) -> SafeString:
    return format_html("<{0}>{1}</{0}>", tag, text) if text else mark_safe("")


def _moved_items(old: CaseState, new: CaseState) -> set[int]:
    """Items whose place among the others changed: a new section, or out of the longest common order.

    Deleting item 2 shifts the numbers of items 3, 4, … without moving them; this
    compares order, not numbers.
    """
    before = {item.pk: item for item in old.items}
    after = {item.pk: item for item in new.items}
    common = before.keys() & after.keys()
    moved = {pk for pk in common if before[pk].section != after[pk].section}
    for section in CaseItem.Section.values:
        old_order = [i.pk for i in old.items_in_order() if i.section == section and i.pk in common - moved]
        new_order = [i.pk for i in new.items_in_order() if i.section == section and i.pk in common - moved]
        kept = set()
        for block in SequenceMatcher(None, old_order, new_order, autojunk=False).get_matching_blocks():
            kept.update(old_order[block.a : block.a + block.size])
        moved |= set(old_order) - kept
    return moved


# Writing ---------------------------------------------------------------------


def record_unversioned(case_ids: Iterable[int]) -> int:
    """Save the current state of those cases that have no revision yet, as their first revision.

    Works inside or outside an open ``reversion.create_revision()`` block (the
    revision is written directly, dated when the case was last saved).
    Returns the number of cases recorded.
    """
    wanted = {str(pk) for pk in case_ids if pk is not None}
    if not wanted:
        return 0
    versioned = set(
        Version.objects.get_for_model(Case).filter(object_id__in=wanted).values_list("object_id", flat=True)
    )
    missing = [int(pk) for pk in wanted - versioned]
    if not missing:
        return 0
    db = router.db_for_write(Case)
    case_type = ContentType.objects.get_for_model(Case)
    item_type = ContentType.objects.get_for_model(CaseItem)
    cases = Case.objects.filter(pk__in=missing).prefetch_related("regions", "topics", "items")
    count = 0
    for case in cases:
        revision = Revision.objects.create(date_created=case.updated_at, comment=INITIAL_COMMENT)
        versions = [_version(revision, case_type, case, db)]
        versions += [_version(revision, item_type, item, db) for item in case.items.all()]
        Version.objects.bulk_create(versions)
        count += 1
    return count


def _version(revision: Revision, content_type: ContentType, obj: Case | CaseItem, db: str) -> Version:
    return Version(
        revision=revision,
        content_type=content_type,
        object_id=str(obj.pk),
        db=db,
        format="json",
        serialized_data=serializers.serialize("json", [obj]),
        object_repr=str(obj),
    )


class RestoreError(Exception):
    pass


def restore_case(*, case: Case, version: Version, user: AbstractBaseUser | None = None) -> Case:
    """Bring the case back to ``version``: texts, regions, topics and items (see the module docstring)."""
    from search.index.indexing import batched

    if int(version.object_id) != case.pk:
        raise RestoreError("该版本不属于这个案例。")
    state = state_of_version(version)
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    with transaction.atomic(), batched(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"恢复到 {when} 的版本")
        case = Case.objects.select_for_update().get(pk=case.pk)
        for name in RESTORED_FIELDS:
            setattr(case, name, state.fields[name])
        case.save()
        regions = list(Region.objects.filter(pk__in=state.regions).values_list("pk", flat=True))
        if regions:  # a case always has a region; keep the current ones if all the old ones are gone
            case.regions.set(regions)
        case.topics.set(Topic.objects.filter(pk__in=state.topics).values_list("pk", flat=True))
        current = {item.pk: item for item in case.items.all()}
        for pk in current.keys() - {item.pk for item in state.items}:
            current[pk].delete()
        taken = set(
            CaseItem.objects.filter(pk__in=[i.pk for i in state.items]).exclude(case=case).values_list("pk", flat=True)
        )
        for item_state in state.items:
            item = current.get(item_state.pk)
            values = {
                "section": item_state.section,
                "position": item_state.position,
                "heading": item_state.heading,
                "body": item_state.body,
            }
            if item is None:
                pk = None if item_state.pk in taken else item_state.pk
                CaseItem(pk=pk, case=case, **values).save(force_insert=True)
            elif any(getattr(item, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(item, name, value)
                item.save()
    return case
