"""On PostgreSQL a statement run often on one connection is kept prepared (``DB_PREPARE_THRESHOLD``).

A prepared statement is planned once for all its parameters after a few runs
(a generic plan). Searches repeated past that point must give the same pages.
"""

import pytest
from django.db import connection

from config.tests.test_production import manage
from regions.models import Region
from search.service import search_cases

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"),
    pytest.mark.django_db,
]

SEARCHES = [
    {"q": "跨境电商融资"},  # a compound, its pieces and a synonym: partial matches follow
    {"q": "人才 OR 物流"},
    {"q": "服务", "page_size": 5, "page": 2},
    {"q": "融资", "region": "hubei"},
]


def page(search: dict) -> tuple[list[int], list[tuple[str, int]], int]:
    """The ranked case ids, the region facet's counts and the total: what the reader sees of a search."""
    arguments = dict(search)
    if "region" in arguments:
        arguments["regions"] = [Region.objects.get(slug=arguments.pop("region"))]
    results = search_cases(**arguments)
    return [hit.case.pk for hit in results.hits], [(v.name, v.count) for v in results.region_facet], results.count


def prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("search", SEARCHES, ids=lambda search: search["q"])
def test_a_search_repeated_past_the_threshold_runs_prepared_and_gives_the_same_page(search):
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    if threshold is None:
        pytest.skip("prepared statements are off in this run (DB_PREPARE_THRESHOLD=0)")
    first = page(search)
    assert first[0], "the search finds cases"
    before = prepared_statements()
    repeats = [page(search) for _ in range(threshold + 5)]
    assert prepared_statements() > before
    assert all(repeat == first for repeat in repeats)


def test_a_threshold_of_zero_turns_prepared_statements_off():
    show = "from django.db import connection; o = connection.settings_dict['OPTIONS']; "
    show += "print(o['server_side_binding'], o['prepare_threshold'])"
    assert manage("shell", "-v0", "-c", show, DB_PREPARE_THRESHOLD="5").stdout.split() == ["True", "5"]
    assert manage("shell", "-v0", "-c", show, DB_PREPARE_THRESHOLD="0").stdout.split() == ["False", "None"]
