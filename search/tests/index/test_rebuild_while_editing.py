"""``reindex`` while editors save: the save is not held up, and the index ends with the saved text.

The rebuild runs in a thread of its own, with its own database connection, so
these tests need committed data (transactional tests): each loads the 20 cases
itself, and after the last one the database is put back as ``django_db_setup``
left it for the tests that run later (as in ``cases/tests/test_browser.py``).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from cases.models import Case, Topic
from cases.tests.test_admin import case_form_data
from search.index import indexing, signals
from search.index.text import query_tokens
from search.models import Champion, SearchText
from search.service import search_cases

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAVE_LIMIT = 2.0  # seconds; the statement timeout that failed such saves is 10


@pytest.fixture(scope="module", autouse=True)
def restore_database(restore_the_database_afterwards):
    """The tests here flush the database (``transaction=True``)."""


def found(q: str) -> set[int]:
    results = search_cases(q=q, page_size=100)
    return {hit.case.number for hit in results.hits[: results.all_word_count]}


def timed_save(client, case: Case, **changes: str) -> float:
    data = {**case_form_data(case), "version": case.version, **changes}
    started = time.monotonic()
    response = client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    return elapsed


def rebuild_in_a_thread() -> tuple[threading.Thread, list[BaseException]]:
    """The rebuild, started in a thread with its own connection; what it raises is kept for the test to report."""
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            indexing.rebuild_index()
        except BaseException as error:  # reported by the test, in the main thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=rebuild)
    thread.start()
    return thread, errors


def test_saves_during_a_rebuild_go_through_at_once_and_stay_indexed(admin_client, monkeypatch):
    call_command("load_initial_data", verbosity=0)
    railway = Case.objects.get(number=13)
    first = Case.objects.order_by("pk").first()  # its chunk is written before the rebuild reaches the railway case
    assert first.pk < railway.pk - 5
    monkeypatch.setattr(indexing, "REBUILD_CHUNK_SIZE", 5)
    ordered = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    chunk = ordered[ordered.index(railway.pk) // 5 * 5 :][:5]
    doomed = Case.objects.get(pk=next(pk for pk in chunk if pk != railway.pk))  # read by the rebuild with railway

    reading, saved = threading.Event(), threading.Event()
    segment = indexing.case_field_tokens

    def slow_segment(case: Case) -> dict:
        tokens = segment(case)
        if threading.current_thread() is not threading.main_thread():
            if case.pk == railway.pk and not reading.is_set():
                reading.set()  # the rebuild has read the railway case's old text …
                saved.wait(10)  # … and writes it only after the editors' saves below have committed
            time.sleep(0.02)
        return tokens

    monkeypatch.setattr(indexing, "case_field_tokens", slow_segment)
    thread, errors = rebuild_in_a_thread()
    try:
        assert reading.wait(10)
        took = [
            timed_save(admin_client, first, summary="导语改写，加入磁悬浮货运试点。"),
            timed_save(admin_client, railway, title="创新铁路提单与氢能集装箱交易规则"),
        ]
        doomed.delete()
    finally:
        saved.set()
        thread.join(30)
    assert not thread.is_alive() and not errors, errors
    assert max(took) < SAVE_LIMIT, took

    assert found("磁悬浮") == {first.number}
    assert found("氢能集装箱") == {13}
    assert "氢能" in SearchText.objects.get(case=railway).title_tokens.split()
    assert not SearchText.objects.filter(case_id=doomed.pk).exists()
    assert not Champion.objects.filter(case_id=doomed.pk).exists()
    # The champion lists, replaced at the end of the rebuild, hold the saved words too.
    for case, word in ((first, "磁悬浮"), (railway, "集装箱")):
        assert set(query_tokens(word)) <= set(Champion.objects.filter(case=case).values_list("token", flat=True))


def test_a_topic_renamed_while_a_chunk_is_written_waits_for_it_and_both_go_through(monkeypatch):
    """The rename holds its topic's row and rewrites the related cases' lists, whose foreign keys need the
    case rows the chunk has locked; the chunk waits for the topic's row. Neither lock may wait on the other."""
    call_command("load_initial_data", verbosity=0)
    monkeypatch.setattr(indexing, "REBUILD_CHUNK_SIZE", 100)  # one chunk: every case
    renaming, cases_locked = threading.Event(), threading.Event()
    lock_labels, reindex = indexing._locked_label_fields, signals.case_reindex

    def locking_labels_once_the_rename_holds_its_row(keys):
        if threading.current_thread() is not threading.main_thread():
            renaming.wait(10)
            cases_locked.set()
        return lock_labels(keys)

    def reindexing_once_the_chunk_holds_its_cases(**kwargs):
        if threading.current_thread() is threading.main_thread():
            renaming.set()
            cases_locked.wait(10)
            time.sleep(0.3)  # the chunk now waits for the topic's row
        return reindex(**kwargs)

    monkeypatch.setattr(indexing, "_locked_label_fields", locking_labels_once_the_rename_holds_its_row)
    monkeypatch.setattr(signals, "case_reindex", reindexing_once_the_chunk_holds_its_cases)
    thread, errors = rebuild_in_a_thread()
    try:
        with transaction.atomic():  # as the admin saves it
            topic = Topic.objects.get(slug="healthcare")
            topic.name = "卫生健康"
            topic.save()
    finally:
        renaming.set()
        thread.join(60)
    assert not thread.is_alive() and not errors, [str(error) for error in errors]
    assert found("卫生健康") >= {9, 16}
