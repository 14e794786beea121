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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connections, router
from django.db.models import Prefetch
from django.utils import timezone
from reversion.models import Revision, Version

from ..models import VERSIONED_CASE_FIELDS, Case, CaseItem

INITIAL_COMMENT = "首次修改前的内容（自动记录）"
CHUNK_SIZE = 500  # cases recorded per few statements
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

    Works inside or outside an open ``reversion.create_revision()`` block (each
    case's revision is written directly, dated when the case was last saved),
    with a few statements for every ``CHUNK_SIZE`` cases. Returns the number of
    cases recorded.
    """
    wanted = {str(pk) for pk in case_ids if pk is not None}
    if not wanted:
        return 0
    versioned = set(
        Version.objects.get_for_model(Case).filter(object_id__in=wanted).values_list("object_id", flat=True)
    )
    missing = sorted(int(pk) for pk in wanted - versioned)
    count = 0
    for cases in _cases_with_items(missing):
        revisions = _saved([Revision(date_created=case.updated_at, comment=INITIAL_COMMENT) for case in cases])
        _save_versions(zip(revisions, cases, strict=True), fields=None)
        count += len(cases)
    return count


def record_revision(case_ids: Iterable[int], *, comment: str | None = None, user: Any = None) -> int:
    """One revision of these cases with their items, as ``reversion.add_to_revision`` would save each of them.

    For bulk changes (publishing, merging topics, an import): reversion reads and
    serialises each case and item on its own, while this reads them with a few
    queries for every ``CHUNK_SIZE`` cases and serialises them together. Inside an
    open ``reversion.create_revision()`` block, the comment and user not given are
    the open revision's, and so is the date. Returns the number of cases recorded
    (none: no revision is written).
    """
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    active = reversion.is_active()
    if comment is None:
        comment = reversion.get_comment() if active else ""
    if user is None and active:
        user = reversion.get_user()
    date = reversion.get_date_created() if active else timezone.now()
    (revision,) = _saved([Revision(date_created=date, comment=comment, user=user)])
    count = 0
    for cases in _cases_with_items(ids):
        _save_versions(((revision, case) for case in cases), fields=VERSIONED_CASE_FIELDS)
        count += len(cases)
    return count


def _cases_with_items(ids: list[int]) -> Iterator[list[Case]]:
    """The cases, ``CHUNK_SIZE`` at a time, with their regions, topics and items prefetched into lists
    (``_regions``, …): Django would make a query set for each case and relation, slower than the queries."""
    prefetches = [Prefetch(name, to_attr=f"_{name}") for name in ("regions", "topics", "items")]
    for start in range(0, len(ids), CHUNK_SIZE):
        yield list(Case.objects.filter(pk__in=ids[start : start + CHUNK_SIZE]).prefetch_related(*prefetches))


def _saved(revisions: list[Revision]) -> list[Revision]:
    db = router.db_for_write(Revision)
    if connections[db].features.can_return_rows_from_bulk_insert:
        return Revision.objects.using(db).bulk_create(revisions)
    for revision in revisions:
        revision.save(using=db)
    return revisions


def _save_versions(cases: Iterable[tuple[Revision, Case]], *, fields: list[str] | None) -> None:
    """Versions of each case (with ``fields``, or all) and of its items, in the revision paired with it."""
    db = router.db_for_write(Case)
    case_type = ContentType.objects.get_for_model(Case).pk
    item_type = ContentType.objects.get_for_model(CaseItem).pk
    rows = []
    for revision, case in cases:
        items = case._items
        rows.append((revision.pk, case_type, str(case.pk), db, "json", _serialized([case], fields)[0], str(case)))
        rows += [
            (revision.pk, item_type, str(item.pk), db, "json", data, str(item))
            for item, data in zip(items, _serialized(items), strict=True)
        ]
    _insert_versions(rows, using=db)


VERSION_COLUMNS = ("revision", "content_type", "object_id", "db", "format", "serialized_data", "object_repr")


def _insert_versions(rows: list[tuple], *, using: str) -> None:
    """Insert Version rows without making model instances (COPY on PostgreSQL, one ``executemany`` elsewhere):
    a bulk change writes a version of each case and item, and ``bulk_create`` spends most of its time on them."""
    connection = connections[using]
    meta = Version._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in VERSION_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(VERSION_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


class _PrefetchedSerializer(PythonSerializer):
    """Django's serialization to Python data, reading many-to-many ids from the lists of ``_cases_with_items``.

    Django's own builds a query for each such field of each object even when the
    objects are prefetched (about a millisecond each), and never runs it.
    """

    def handle_m2m_field(self, obj, field) -> None:
        if field.remote_field.through._meta.auto_created:
            self._current[field.name] = [related.pk for related in getattr(obj, f"_{field.name}")]


def _serialized(objs: list, fields: list[str] | None = None) -> list[str]:
    """Each object as ``serializers.serialize("json", [obj], fields=fields)`` writes it (regions and topics
    prefetched), in one pass over all and with the C JSON encoder rather than Django's streaming one."""
    records = _PrefetchedSerializer().serialize(objs, fields=fields)
    return [json.dumps([record], cls=DjangoJSONEncoder, ensure_ascii=False) for record in records]
