"""The synthetic library the benchmarks measure: the real cases, and synthetic ones made of their paragraphs.

Used by ``bench_search``, ``bench_pages`` and ``bench_admin``. They (and ``bench_import``) write
cases, so they run only against a database whose name contains "bench" (:func:`require_bench_database`).

Each synthetic case takes a real title and summary, a random draw of eight
real items, one region among those with cases and one to three topics; the
synthetic cases are in collections whose slug starts with :data:`SYNTHETIC`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import connection, transaction

from cases.models import Case, CaseItem, Collection, Topic
from regions.models import Region
from search.index.indexing import batched
from search.models import SearchDocument

SYNTHETIC = "bench-synthetic"
BATCH = 2000
PER_COLLECTION = 30000  # case numbers are small integers within a collection


def require_bench_database() -> str:
    """The database's name; refuses any database whose name does not contain "bench"."""
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        raise CommandError(f"拒绝在数据库 {name} 上运行：基准会写入合成案例，请使用名称含 bench 的数据库。")
    return name


@transaction.atomic
def make_corpus(size: int, rng: random.Random, progress: Callable[[int, int], None] | None = None) -> None:
    """Keep the real cases and add synthetic ones up to ``size`` in all (the index is left to the caller)."""
    with batched(reindex=False):
        Case.objects.filter(collection__slug__startswith=SYNTHETIC).delete()
        real = list(Case.objects.prefetch_related("items", "regions", "topics"))
        missing = size - len(real)
        if missing <= 0:
            return
        collections = [
            Collection.objects.get_or_create(
                slug=f"{SYNTHETIC}-{index}", defaults={"title": f"合成基准案例 {index}", "year": 2099}
            )[0]
            for index in range(missing // PER_COLLECTION + 1)
        ]
        items = [item for case in real for item in case.items.all()]
        regions = list(Region.objects.filter(cases__isnull=False).distinct())
        topics = list(Topic.objects.all())
        for start in range(0, missing, BATCH):
            batch = range(start, min(start + BATCH, missing))
            cases = Case.objects.bulk_create(
                [
                    Case(
                        collection=collections[n // PER_COLLECTION],
                        number=n % PER_COLLECTION + 1,
                        title=rng.choice(real).title,
                        provider="合成",
                        summary=rng.choice(real).summary,
                    )
                    for n in batch
                ]
            )
            CaseItem.objects.bulk_create(
                [
                    CaseItem(case=case, section=item.section, position=position, heading=item.heading, body=item.body)
                    for case in cases
                    for position, item in enumerate(rng.sample(items, 8), start=1)
                ]
            )
            Case.regions.through.objects.bulk_create(
                [Case.regions.through(case=case, region=rng.choice(regions)) for case in cases]
            )
            Case.topics.through.objects.bulk_create(
                [
                    Case.topics.through(case=case, topic=topic)
                    for case in cases
                    for topic in rng.sample(topics, rng.randint(1, 3))
                ]
            )
            if progress:
                progress(batch.stop, missing)


def vacuum() -> None:
    """Reclaim the rows a corpus or a benchmark deleted, so the next one is not measured on a bloated database.

    Autovacuum would do it in time, but it may be off, as it is on the
    development machine's PostgreSQL: there, the 1.5 million dead champion
    entries the admin benchmark left made a 20-case search's champion look-up
    read 1,900 pages (1.6 ms instead of 0.4).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET statement_timeout = 0")  # the site's limit is for requests
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("VACUUM")


def holds(size: int) -> bool:
    """The database holds ``size`` cases, every one of them indexed (``--reuse`` measures it as it is)."""
    return Case.objects.count() == size == SearchDocument.objects.count()
