"""Differences between two snapshots of a case, as HTML for the admin's version pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from regions.models import Region

from ..models import Case, CaseItem, Collection, Topic
from .snapshots import SHOWN_FIELDS, CaseState

DIFF_CONTEXT = 40  # characters of unchanged text kept around each change


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
        renumbered = was.numbered != item.numbered
        if not text_changed and not renumbered and item.pk not in moved:
            diff.unchanged_items += 1
            continue
        heading = inline_diff(was.heading, item.heading) if text_changed else escape(item.heading)
        if renumbered:
            heading = format_html(
                "{} <ins>{}</ins>", heading, "（改为编号条目）" if item.numbered else "（改为不编号）"
            )
        changes.append(
            (
                (item.section, item.position),
                ItemChange(
                    "changed" if text_changed or renumbered else "moved",
                    item.place,
                    was.place if item.pk in moved else "",
                    heading,
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
