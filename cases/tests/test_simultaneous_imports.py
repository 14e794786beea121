"""Two confirmations of one import at the same moment (a double click), each on its own connection.

Like ``test_simultaneous_saves``, these need committed data: the test loads the
20 cases itself, and afterwards the database is put back for later tests.
"""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cases.admin_import import SESSION_KEY
from cases.importer import parse_document
from cases.models import Case, Collection
from cases.services import case_import
from cases.tests.test_admin import IMPORT, preview, source

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers with row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def restore_database(restore_the_database_afterwards):
    """The test here flushes the database (``transaction=True``)."""


def test_the_second_of_two_simultaneous_confirmations_waits_and_says_it_is_done(admin_client):
    call_command("load_initial_data", verbosity=0)
    preview(admin_client, source().encode(), new_slug="copy-2020", new_title="副本")
    token = admin_client.session[SESSION_KEY]["token"]
    started, release = threading.Event(), threading.Event()

    def first_confirmation() -> None:
        try:
            with transaction.atomic():
                collection = Collection(slug="copy-2020", title="副本")
                case_import(parsed_cases=parse_document(source()), collection=collection, run_token=token)
                started.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_confirmation)
    thread.start()
    assert started.wait(30)
    threading.Timer(0.5, release.set).start()  # the first commits while the second waits
    response = admin_client.post(IMPORT, {"_confirm": "1", "token": token}, follow=True)
    thread.join(10)
    assert response.status_code == 200 and "此导入已完成" in response.content.decode()
    assert Collection.objects.filter(slug="copy-2020").count() == 1
    assert Case.objects.filter(collection__slug="copy-2020").count() == 20
