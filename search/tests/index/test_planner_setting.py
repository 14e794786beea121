"""PostgreSQL's planner is kept on the GIN index for a search's queries, and the setting is restored after it.

The setting is the session's (no transaction of its own), so these run outside a
test transaction, as requests do; the database is put back afterwards.
"""

import pytest
from django.db import DatabaseError, connection

from search.index.backends import get_backend

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner setting"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def restore_database(restore_the_database_afterwards):
    """The test here flushes the database (``transaction=True``)."""


def seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


def test_the_setting_holds_during_a_search_and_is_restored_after_it_even_when_it_fails():
    assert not connection.in_atomic_block and seqscan() == "on"
    with get_backend().searching():
        assert seqscan() == "off"
    assert seqscan() == "on"
    with pytest.raises(DatabaseError), get_backend().searching(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")  # a statement that fails, as a timeout would
    assert seqscan() == "on"
    with pytest.raises(LookupError), get_backend().searching():
        raise LookupError
    assert seqscan() == "on"
