"""Shared test set-up: the test database holds the real 20 cases, loaded once per run."""

from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_initial_data", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches: rolled-back data must not be served from them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def source_path() -> Path:
    return SOURCE_2020


SOURCE_2020 = Path(__file__).resolve().parent / "fixtures" / "source" / "service-trade-pilot-best-practices-2020.txt"
