"""Two saves of one case at the same moment, each on its own connection: the version check cannot be raced.

These need committed data (another thread, another connection): each test loads
the 20 cases itself, and after the last one the database is put back as
``django_db_setup`` left it, for the tests that run later.
"""

from __future__ import annotations

import threading

import pytest
import reversion
from django.core.management import call_command
from django.db import connection, transaction

from cases.history.snapshots import record_unversioned
from cases.models import Case
from cases.services import CaseChanged, case_touch
from cases.tests.test_admin import case_form_data, change_url

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers with row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def restore_database(restore_the_database_afterwards):
    """The tests here flush the database (``transaction=True``)."""


@pytest.fixture
def case() -> Case:
    call_command("load_initial_data", verbosity=0)
    return Case.objects.get(number=13)


def save_in_thread(case: Case, title: str, locked: threading.Event, release: threading.Event) -> threading.Thread:
    """Editor A's save, as the admin makes it: the version checked and counted, then held open until ``release``."""

    def run() -> None:
        try:
            with transaction.atomic(), reversion.create_revision():
                record_unversioned([case.pk])
                stored = Case.objects.get(pk=case.pk)
                case_touch(case=stored, expected_version=case.version)
                locked.set()
                release.wait(10)
                stored.title = title
                stored.save()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert locked.wait(10)
    return thread


def test_the_second_of_two_simultaneous_checks_waits_and_is_refused(case):
    locked, release = threading.Event(), threading.Event()
    thread = save_in_thread(case, "甲的标题", locked, release)
    threading.Timer(0.3, release.set).start()  # A commits while B waits on the case's row
    with pytest.raises(CaseChanged) as refused, transaction.atomic():
        case_touch(case=Case.objects.get(pk=case.pk), expected_version=case.version)
    thread.join(10)
    assert refused.value.current == case.version + 1
    stored = Case.objects.get(pk=case.pk)
    assert (stored.title, stored.version) == ("甲的标题", case.version + 1)


def test_an_admin_save_racing_another_is_shown_again_not_lost(case, admin_client):
    locked, release = threading.Event(), threading.Event()
    thread = save_in_thread(case, "甲的标题", locked, release)
    threading.Timer(0.3, release.set).start()
    data = {**case_form_data(case), "version": case.version, "summary": "乙的导语。"}
    response = admin_client.post(change_url(case), data)  # passes the early check, then waits on A's lock
    thread.join(10)
    html = response.content.decode()
    assert response.status_code == 200 and "此案例在您打开后已被他人修改" in html
    stored = Case.objects.get(pk=case.pk)
    assert (stored.title, stored.summary) == ("甲的标题", case.summary)
    form = response.context["adminform"].form
    assert (form["title"].value(), form["summary"].value()) == ("甲的标题", "乙的导语。")
