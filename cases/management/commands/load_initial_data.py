"""The first collection, with its regions and topics, from ``fixtures/``; safe to run again.

Running it again never changes or brings back what editors changed or
deleted: everything is loaded only into a library that holds neither the
collection nor any of its rows (``make run`` runs this at every start). Then
the regions and topics the cases name are added where the library lacks them
(the migration has given the provinces already), an object counting as there
when any of its unique values is (its id, its slug, its code, its name).
Topics are also added to a library that has none.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model, Q

from cases.models import Case, CaseItem, Collection, Topic
from cases.services import imported_texts_remember
from search.index.indexing import bulk


def fixture_path(name: str) -> Path:
    return Path(settings.FIXTURE_DIRS[0]) / f"{name}.json"


def fixture_rows(name: str) -> list[dict]:
    return json.loads(fixture_path(name).read_text(encoding="utf-8"))


def row_ids(rows: list[dict], model: str) -> list[int]:
    return [row["pk"] for row in rows if row["model"] == model]


def cases_fixture_fits(rows: list[dict]) -> bool:
    """Whether the library holds none of the cases fixture's ``rows``: not its collection, nor any case or item
    numbered as one of its rows (loading would write over them)."""
    collections = [row["fields"]["slug"] for row in rows if row["model"] == "cases.collection"]
    taken = [
        Collection.objects.filter(Q(slug__in=collections) | Q(pk__in=row_ids(rows, "cases.collection"))),
        Case.objects.filter(pk__in=row_ids(rows, "cases.case")),
        CaseItem.objects.filter(pk__in=row_ids(rows, "cases.caseitem")),
    ]
    return not any(queryset.exists() for queryset in taken)


def add_missing(name: str) -> int:
    """Save the fixture's objects that the database does not hold; the number saved."""
    added = []
    with fixture_path(name).open(encoding="utf-8") as stream:
        for deserialized in serializers.deserialize("json", stream):
            if not _held(deserialized.object):
                deserialized.save()
                added.append(deserialized.object)
    _reset_sequences({type(instance) for instance in added})
    return len(added)


def _held(instance: Model) -> bool:
    """Whether the database holds a row with any of the object's unique values (an editor may change a slug)."""
    model = type(instance)
    rows = model._default_manager
    unique = [field for field in model._meta.concrete_fields if field.unique and not field.primary_key]
    if instance.pk is not None and rows.filter(pk=instance.pk).exists():
        return True
    values = {field.attname: getattr(instance, field.attname) for field in unique}
    return any(rows.filter(**{name: value}).exists() for name, value in values.items() if value not in (None, ""))


def _reset_sequences(models: set[type[Model]]) -> None:
    """Move the id sequences past the ids saved from the fixture (PostgreSQL), as ``loaddata`` does."""
    statements = connection.ops.sequence_reset_sql(no_style(), sorted(models, key=lambda model: model.__name__))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Command(BaseCommand):
    help = "载入第一批案例及其地区、主题（fixtures/），并重建检索索引；可重复运行，不改动、不恢复编辑过或删除的内容。"

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        rows = fixture_rows("cases")
        case_ids = row_ids(rows, "cases.case")
        with bulk(reindex=False), transaction.atomic():  # the index is rebuilt below, once
            with_cases = cases_fixture_fits(rows)
            regions = add_missing("regions") if with_cases else 0
            topics = add_missing("topics") if with_cases or not Topic.objects.exists() else 0
            if with_cases:
                call_command("loaddata", "cases", verbosity=0)
                # The cases of the fixture are what the importer wrote: the next import compares with them.
                imported_texts_remember(case_ids=case_ids)
        if verbosity:
            self.stdout.write(f"地区：新增 {regions} 个；主题：新增 {topics} 个。")
            if with_cases:
                self.stdout.write(f"案例：载入 {len(case_ids)} 个。")
            else:
                self.stdout.write("案例：库中已有这批案例（或同编号的记录），未重新载入，编辑过的内容保持不变。")
        if with_cases:
            call_command("reindex", verbosity=verbosity)
        if verbosity:
            self.stdout.write(self.style.SUCCESS("初始数据已就绪。"))
