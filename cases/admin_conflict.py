"""A case's change form saved after someone else saved the case: refused, and shown again merged.

The form carries the case's ``version`` as it was opened (a hidden field). The
save checks it with a compare-and-set on the case's row
(:func:`cases.services.case_touch`) inside the save's transaction; when the
case has moved on, nothing is written and the form comes back with:

- what changed between the version the editor opened and the current one
  (the revisions of :mod:`cases.history`), and
- the editor's input merged with the current case: a field (or an item's
  field) the editor changed keeps the editor's input, every other one shows
  the current value, and the hidden version is the current one. Saving this
  form again applies the editor's changes on top of the other editor's.

An item the other editor deleted comes back as a new item if this editor had
changed it, and is left out otherwise.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import timezone
from django.utils.functional import cached_property

from .history.diff import CaseDiff, compare
from .history.snapshots import CaseState, case_versions, state_at_version, state_of_case
from .models import Case, CaseItem

VERSION_FIELD = "version"
OPENED_FIELD = "opened"  # on the forms of topics, regions, collections and synonyms (see UnchangedSinceOpened)
ITEMS_PREFIX = "items"  # the prefix of the case form's item formset (CaseItem's related name)
ITEM_FIELDS = ("section", "position", "heading", "body", "numbered")
_ITEM_KEY = re.compile(rf"^{ITEMS_PREFIX}-(\d+)-(.+)$")


@dataclass
class Conflict:
    opened: int | None
    current: int
    saved_by: str
    saved_at: datetime.datetime | None
    base: CaseState | None  # the case as the editor opened it, if its revision is known
    diff: CaseDiff | None

    @property
    def message(self) -> str:
        who = self.saved_by or "其他编辑"
        when = f"于 {timezone.localtime(self.saved_at):%Y-%m-%d %H:%M:%S} " if self.saved_at else ""
        return (
            f"此案例在您打开后已被他人修改（{who} {when}保存，版本 {self.opened or '?'} → {self.current}），"
            "您的修改尚未保存。请查看下面列出的这期间的改动，核对表单后再次保存。"
        )


def opened_version(request: HttpRequest) -> int | None:
    """The version of the case that the posted form (or history page) was made from."""
    try:
        return int(request.POST.get(VERSION_FIELD, ""))
    except ValueError:
        return None


def is_stale(request: HttpRequest, case_pk: str) -> bool:
    """Whether the posted form was opened at another version than the case's current one.

    A quick check before validation; the save itself checks again, atomically.
    """
    opened = opened_version(request)
    if opened is None:
        return False
    try:
        return Case.objects.filter(pk=case_pk).exclude(version=opened).exists()
    except (ValueError, ValidationError):  # not a case id: the admin answers that itself
        return False


def conflict_of(case: Case, opened: int | None) -> Conflict:
    """What happened to ``case`` (fresh from the database) since the editor opened it at version ``opened``."""
    versions = case_versions(case)
    latest = versions[0].revision if versions else None
    base = state_at_version(case, opened) if opened is not None else None
    return Conflict(
        opened=opened,
        current=case.version,
        saved_by=latest.user.get_username() if latest and latest.user else "",
        saved_at=latest.date_created if latest else None,
        base=base,
        diff=compare(base, state_of_case(case)) if base else None,
    )


def merged_post(
    post: QueryDict,
    *,
    case: Case,
    base: CaseState | None,
    case_form: type[forms.BaseForm],
    item_form: type[forms.BaseForm],
) -> QueryDict:
    """The editor's submitted data with every field they left as they opened it set to its current value."""
    data = post.copy()
    data[VERSION_FIELD] = str(case.version)
    if base is None:  # what the editor opened is unknown: keep all of their input
        return data
    _merge_case_fields(data, case, base, case_form)
    _merge_items(data, case, base, item_form)
    return data


def _merge_case_fields(data: QueryDict, case: Case, base: CaseState, case_form: type[forms.BaseForm]) -> None:
    for name, field in case_form.base_fields.items():
        if name == VERSION_FIELD:
            continue
        if name in ("regions", "topics"):
            before, now = getattr(base, name), sorted(getattr(case, name).values_list("pk", flat=True))
            if not field.has_changed(before, data.getlist(name)):
                data.setlist(name, [str(pk) for pk in now])
            continue
        attribute = "collection_id" if name == "collection" else name
        if attribute not in base.fields:
            continue
        if not field.has_changed(base.fields[attribute], data.get(name)):
            data[name] = _raw(getattr(case, attribute))


def _merge_items(data: QueryDict, case: Case, base: CaseState, item_form: type[forms.BaseForm]) -> None:
    try:
        total = int(data[f"{ITEMS_PREFIX}-TOTAL_FORMS"])
        initial = int(data[f"{ITEMS_PREFIX}-INITIAL_FORMS"])
    except (KeyError, ValueError):
        return
    forms_data: dict[int, dict[str, list[str]]] = {index: {} for index in range(total)}
    for key in list(data):
        match = _ITEM_KEY.match(key)
        if match:
            index = int(match.group(1))
            if index in forms_data:
                forms_data[index][match.group(2)] = data.getlist(key)
            del data[key]
    was = {item.pk: item for item in base.items}
    now = {item.pk: item for item in CaseItem.objects.filter(case=case)}
    kept, added = [], []
    for index in range(total):
        values = forms_data[index]
        pk = _int((values.get("id") or [""])[0])
        if index >= initial or pk is None:
            added.append(values)
            continue
        before, current = was.get(pk), now.get(pk)
        edited = [
            name
            for name in ITEM_FIELDS
            if before is None or item_form.base_fields[name].has_changed(getattr(before, name), _first(values, name))
        ]
        if current is None:  # deleted by the other editor: kept as a new item only if this editor changed it
            if edited and not _first(values, "DELETE"):
                added.append({**values, "id": [""]})
            continue
        for name in ITEM_FIELDS:
            if name not in edited:
                values[name] = [_raw(getattr(current, name))]
        kept.append(values)
    for index, values in enumerate([*kept, *added]):
        for name, value in values.items():
            data.setlist(f"{ITEMS_PREFIX}-{index}-{name}", value)
    data[f"{ITEMS_PREFIX}-TOTAL_FORMS"] = str(len(kept) + len(added))
    data[f"{ITEMS_PREFIX}-INITIAL_FORMS"] = str(len(kept))


def _first(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0]


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _raw(value: object) -> str:
    return "" if value is None else str(value)


def stored_digest(instance: models.Model) -> str:
    """A digest of what the database holds of the object: any save by anyone changes it."""
    values = [(field.attname, getattr(instance, field.attname)) for field in instance._meta.concrete_fields]
    return hashlib.sha256(repr(values).encode()).hexdigest()


class UnchangedSinceOpened(forms.ModelForm):
    """The change form of an object without a version of its own (a topic, a region, a collection, a synonym
    group): it carries a digest of the object as opened, and a save is refused if anyone has saved the object
    since, instead of putting back what they changed (a rename, a new position)."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[OPENED_FIELD].initial = stored_digest(self.instance)

    def clean(self) -> dict:
        data = super().clean()
        # Until _post_clean the instance holds what the database held when the request began.
        if self.instance.pk is not None and self.changed_since_opened():
            name = self.instance._meta.verbose_name
            raise forms.ValidationError(
                f"在您打开本页后，这个{name}已被他人修改，您的修改没有保存。请重新打开本页（会显示最新的内容），再修改。",
                code="changed",
            )
        return data

    def changed_since_opened(self) -> bool:
        return self.cleaned_data.get(OPENED_FIELD) != stored_digest(self.instance)


MAX_LISTED_CHARS = 10_000  # a row's listed digest and values are far shorter


class UnchangedSinceListed(UnchangedSinceOpened):
    """A row of a list's editable fields (a topic's position, a synonym group's switch).

    Its hidden field holds the object's digest and the row's values as listed,
    so that what this editor changed is told apart from what someone else saved
    since: only the fields changed on the page count as changed (Django saves
    only such rows, and its history names those fields). The values go through
    JSON as they are: fields edited on a list must hold numbers, text or yes/no.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            listed = {
                "digest": stored_digest(self.instance),
                "label": str(self.instance),
                "values": {name: self[name].value() for name in self.editable_fields()},
            }
            self.fields[OPENED_FIELD].initial = json.dumps(listed, ensure_ascii=False, default=str)

    def editable_fields(self) -> list[str]:
        return [name for name in self.fields if name != OPENED_FIELD and not self.fields[name].widget.is_hidden]

    @cached_property
    def listed(self) -> dict:
        """The row as the page listed it; empty when the page did not say (a page from before, or made up)."""
        posted = self[OPENED_FIELD].data or ""
        if len(posted) > MAX_LISTED_CHARS:
            return {}
        try:
            listed = json.loads(posted)
        except (ValueError, RecursionError):
            return {}
        return listed if isinstance(listed, dict) and isinstance(listed.get("values"), dict) else {}

    @cached_property
    def changed_data(self) -> list[str]:
        values = self.listed.get("values")
        if values is None:  # unknown: whatever differs from the stored object
            return [name for name in super().changed_data if name != OPENED_FIELD]
        return [
            name for name in self.editable_fields() if self.fields[name].has_changed(values.get(name), self[name].data)
        ]

    def changed_since_opened(self) -> bool:
        return bool(self.changed_data) and self.listed.get("digest") != stored_digest(self.instance)

    def gone(self) -> bool:
        """The row's object was deleted since the page was opened."""
        return self.instance.pk is None


class ConcurrentEditsAdmin(admin.ModelAdmin):
    """An admin whose change form is :class:`UnchangedSinceOpened` (or a subclass), its digest field included;
    so is each row of its list's editable fields (the list's template posts each row's digest and values)."""

    form = UnchangedSinceOpened
    change_list_template = "admin/concurrent_change_list.html"

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fields = list(super().get_fields(request, obj))
        return fields if OPENED_FIELD in fields else [*fields, OPENED_FIELD]

    def get_changelist_form(self, request: HttpRequest, **kwargs) -> type[forms.ModelForm]:
        return super().get_changelist_form(request, **{"form": UnchangedSinceListed, **kwargs})

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """A list saved after someone else saved or deleted a row this editor changed, or deleted any row,
        saves nothing: the list is shown again as it now is, with a message naming the changes not saved.

        (Shown again by Django, the list would pair the posted rows with the rows
        in their new order and place the error on the wrong row.)
        """
        saving = request.method == "POST" and "_save" in request.POST and self.list_editable
        if saving and self.has_change_permission(request):  # without it, Django refuses the save (403)
            refusal = self._refused_list_save(request)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def _refused_list_save(self, request: HttpRequest) -> str:
        formset_class = self.get_changelist_formset(request)
        queryset = self._get_list_editable_queryset(request, formset_class.get_default_prefix())
        rows = formset_class(request.POST, request.FILES, queryset=queryset).forms
        gone = [row for row in rows if row.gone()]
        unknown = [row for row in rows if not row.gone() and row.changed_data and not row.listed]
        stale = [row for row in rows if not row.gone() and row.listed and row.changed_since_opened()]
        if not gone and not unknown and not stale:
            return ""
        name = self.opts.verbose_name
        if gone or stale:
            moved = "、".join(f"“{_label(row)}”" for row in [*stale, *gone])
            message = f"您打开本页后，{name}{moved}已被他人修改或删除，为免覆盖，这次没有保存任何修改"
        else:  # a page opened before rows carried what they listed, or a form made without it
            message = "这份列表没有带上打开时各行的内容，无法确认其间是否有人修改过，为免覆盖，这次没有保存任何修改"
        unsaved = [_change_of(row) for row in rows if row.changed_data]
        if unsaved:
            message += f"（没有保存的是：{'；'.join(unsaved)}）"
        return message + "。下面是最新的列表，请核对后重新修改。"


def _label(row: UnchangedSinceListed) -> str:
    return row.listed.get("label") or str(row.instance)


def _change_of(row: UnchangedSinceListed) -> str:
    changes = []
    for name in row.changed_data:
        field = row.fields[name]
        value = row[name].data
        shown = ("是" if value else "否") if isinstance(field, forms.BooleanField) else str(value)
        changes.append(f"{field.label}改为 {shown}")
    return f"“{_label(row)}”{'、'.join(changes)}"
