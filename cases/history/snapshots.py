"""What a case was: snapshots of a case and its items, from a revision or from the database now.

Cases loaded from fixtures or written by the command-line importer have no
revision yet; :func:`record_unversioned` saves their current state as a first
revision just before the admin changes them, so the text before an editor's
first edit can always be restored. :func:`record_revision` saves cases written
in bulk (an import) as reversion saves a case it sees saved. Both serialize
all their cases at once, as ``serializers.serialize("json", [obj])`` writes
each: a thousand cases with their items take a second, not ten.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from reversion.models import Revision, Version

from ..models import REVISION_EXCLUDE, Case, CaseItem

INITIAL_COMMENT = "首次修改前的内容（自动记录）"
BATCH_SIZE = 500
SHOWN_FIELDS = ("number", "title", "provider", "summary", "status", "collection_id")


@dataclass(frozen=True)
class ItemState:
    pk: int
    section: int
    position: int
    heading: str
    body: str
    numbered: bool = False  # printed with its numeral （一） even without a heading

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


def state_at_version(case: Case, number: int) -> CaseState | None:
    """The case as it was when its ``version`` field was ``number`` (the newest revision saved with it), if recorded.

    Revisions saved before cases had a version number read as version 1, the
    number every case had then.
    """
    for version in case_versions(case):
        if version.field_dict.get("version") == number:
            return state_of_version(version)
    return None


def state_of_case(case: Case) -> CaseState:
    return CaseState(
        fields={name: getattr(case, name) for name in SHOWN_FIELDS},
        regions=sorted(case.regions.values_list("pk", flat=True)),
        topics=sorted(case.topics.values_list("pk", flat=True)),
        items=[
            ItemState(item.pk, item.section, item.position, item.heading, item.body, item.numbered)
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
                ItemState(
                    int(item_version.object_id),
                    item["section"],
                    item["position"],
                    item["heading"],
                    item["body"],
                    # Revisions saved before items had the flag: a heading meant a numbered item.
                    item.get("numbered", bool(item["heading"])),
                )
            )
    return CaseState(
        fields={name: data.get(name) for name in SHOWN_FIELDS},
        regions=sorted(data.get("regions", [])),
        topics=sorted(data.get("topics", [])),
        items=items,
    )


def record_unversioned(case_ids: Iterable[int]) -> int:
    """Save the current state of those cases that have no revision yet, as their first revision each.

    Works inside or outside an open ``reversion.create_revision()`` block (the
    revision is written directly, dated when the case was last saved), with a
    fixed number of queries however many cases are recorded. Returns the
    number of cases recorded.
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
    cases = list(Case.objects.filter(pk__in=missing).order_by("pk").prefetch_related("regions", "topics", "items"))
    revisions = [Revision(date_created=case.updated_at, comment=INITIAL_COMMENT) for case in cases]
    _save_revisions(revisions)
    _save_versions(list(zip(revisions, cases, strict=True)), case_fields=None)
    return len(cases)


def record_revision(case_ids: Iterable[int]) -> int:
    """Save these cases, each with its items, as one revision with the open revision's user, comment and date.

    What ``reversion.add_to_revision`` would save for each case (its registered
    fields, its items followed), for cases written in bulk, which no save
    signal reports. Returns the number of cases recorded.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    cases = list(Case.objects.filter(pk__in=ids).order_by("pk").prefetch_related("regions", "topics", "items"))
    revision = Revision(
        date_created=reversion.get_date_created(), user=reversion.get_user(), comment=reversion.get_comment()
    )
    _save_revisions([revision])
    fields = [
        field.name
        for field in [*Case._meta.local_fields, *Case._meta.local_many_to_many]
        if field.name not in REVISION_EXCLUDE
    ]
    _save_versions([(revision, case) for case in cases], case_fields=fields)
    return len(cases)


def _save_revisions(revisions: list[Revision]) -> None:
    db = router.db_for_write(Revision)
    if connections[db].features.can_return_rows_from_bulk_insert:
        Revision.objects.using(db).bulk_create(revisions, batch_size=BATCH_SIZE)
    else:
        for revision in revisions:
            revision.save(using=db)


def _save_versions(cases: list[tuple[Revision, Case]], case_fields: list[str] | None) -> None:
    """A version of each case (its ``case_fields``, all for None) and of each of its items (prefetched)."""
    db = router.db_for_write(Case)
    case_type = ContentType.objects.get_for_model(Case)
    item_type = ContentType.objects.get_for_model(CaseItem)
    items = [(revision, item) for revision, case in cases for item in case.items.all()]
    case_data = serialized([case for _, case in cases], case_fields)
    item_data = serialized([item for _, item in items], None)
    versions = [
        _version(revision, case_type, case, db, data) for (revision, case), data in zip(cases, case_data, strict=True)
    ]
    versions += [
        _version(revision, item_type, item, db, data) for (revision, item), data in zip(items, item_data, strict=True)
    ]
    Version.objects.using(db).bulk_create(versions, batch_size=BATCH_SIZE)


def serialized(objects: list[models.Model], fields: list[str] | None) -> list[str]:
    """Each object as ``serializers.serialize("json", [obj], fields=fields)`` writes it, serialized in one pass."""
    data = serializers.serialize("python", objects, fields=fields)
    return [f"[{json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)}]" for item in data]


def _version(revision: Revision, content_type: ContentType, obj: Case | CaseItem, db: str, data: str) -> Version:
    return Version(
        revision=revision,
        content_type=content_type,
        object_id=str(obj.pk),
        db=db,
        format="json",
        serialized_data=data,
        object_repr=str(obj),
    )
