"""Shared test set-up: the test database holds the real 20 cases, loaded once per run.

Hypothesis runs the "ci" profile unless HYPOTHESIS_PROFILE names another: a fixed set of examples
(derandomised, so every run and every database sees the same inputs), enough to cover each property
quickly. `make fuzz` selects the "fuzz" profile: many more examples, drawn at random each run.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Nothing is written to the project folder (no example database); a failure prints the blob for
# @reproduce_failure. A property's examples share its function-scoped test client; none needs a fresh one.
_HYPOTHESIS_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("ci", max_examples=60, derandomize=True, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("fuzz", max_examples=1500, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_initial_data", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Tests log in and fail logins, not measure PBKDF2: a fast hasher saves about a second each time.

    Only the test run is affected; the settings module keeps Django's default hashers.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="module")
def restore_the_database_afterwards(django_db_blocker):
    """For a module of ``transaction=True`` tests: after its last test, put back what their flushes removed."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None):
                connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        call_command("load_initial_data", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches: rolled-back data must not be served from them."""
    from django.core.cache import cache

    from search.index.version import forget_cached_reads

    cache.clear()
    forget_cached_reads()


@pytest.fixture
def source_path() -> Path:
    return SOURCE_2020


SOURCE_2020 = Path(__file__).resolve().parent / "fixtures" / "source" / "service-trade-pilot-best-practices-2020.txt"
