"""Bulk work in the admin: "select all" across pages, renaming and merging topics, deleting many cases.

Each is a set operation whose cost does not grow with the number of cases
(the number of queries is the same for 2 cases as for 20), and whose effect
on search, the API and the history is the same as editing each case would be.
Speed itself is measured by ``manage.py bench_admin``, not here.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from cases.admin_conflict import stored_digest
from cases.history.snapshots import _cases_with_items, _serialized
from cases.models import VERSIONED_CASE_FIELDS, Case, CaseItem, Topic
from regions.models import Region
from search.index import text as index_text
from search.related import related_cases
from search.service import search_cases

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_case_changelist")
TOPICS = reverse("admin:cases_topic_changelist")
API = reverse("api:case_list")


def found(q: str) -> set[int]:
    """The cases with every word of ``q``, by the search service."""
    results = search_cases(q=q, page_size=100)
    return {hit.case.number for hit in results.hits[: results.all_word_count]}


def in_api(client, q: str) -> set[int]:
    """The cases the public API lists for ``q`` (every word), through the page cache."""
    body = client.get(API, {"q": q, "page_size": 100}).json()
    return {result["number"] for result in body["results"][: body["all_words_count"]]}


def select_all(client, action: str, **extra):
    """The change list's "select all N" across pages: one box ticked, then ``select_across``."""
    data = {"action": action, "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [Case.objects.first().pk]}
    return client.post(CHANGELIST, {**data, **extra}, follow=True)


def rename(client, topic: Topic, name: str):
    data = {"name": name, "slug": topic.slug, "description": topic.description, "position": topic.position}
    data["opened"] = stored_digest(topic)  # as the form was opened
    response = client.post(reverse("admin:cases_topic_change", args=[topic.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


# Publishing and withdrawing ----------------------------------------------------


def test_withdrawing_every_case_at_once_hides_them_from_search_and_the_api(admin_client, client):
    assert found("铁路提单") == {13} and in_api(client, "铁路提单") == {13}  # the API's answer is cached now
    related = {case.pk: related_cases(case) for case in Case.objects.all()}
    response = select_all(admin_client, "unpublish")
    assert "已将 20 个案例撤回为草稿" in response.content.decode()
    assert not Case.objects.published().exists()
    assert found("铁路提单") == set() and in_api(client, "铁路提单") == set()
    assert client.get(API).json()["count"] == 0
    assert client.get(Case.objects.get(number=13).get_absolute_url()).status_code == 404

    response = select_all(admin_client, "publish")
    assert "已发布 20 个案例" in response.content.decode()
    assert found("铁路提单") == {13} and in_api(client, "铁路提单") == {13}
    assert client.get(API).json()["count"] == 20
    # Withdrawn together and published again, the cases relate to each other as before, or better: each
    # enters the lists where it ranks (as one case published again does), not only those it was in.
    for case in Case.objects.all():
        now = [item.score for item in related_cases(case)]
        assert len(now) >= len(related[case.pk])
        assert all(score >= earlier.score for score, earlier in zip(now, related[case.pk], strict=False))
    # Each case has its history: its state before the first change, then the two changes.
    for case in Case.objects.all():
        comments = [v.revision.comment for v in Version.objects.get_for_object(case).order_by("pk")]
        assert comments == ["首次修改前的内容（自动记录）", "撤回为草稿", "发布"]


def test_a_case_withdrawn_leaves_the_related_cases_of_the_others_and_comes_back(admin_client):
    railway = Case.objects.get(number=11)
    assert 11 in {item.case.number for item in related_cases(Case.objects.get(number=13))}
    data = {"action": "unpublish", "index": "0", ACTION_CHECKBOX_NAME: [railway.pk]}
    admin_client.post(CHANGELIST, data)
    assert 11 not in {item.case.number for item in related_cases(Case.objects.get(number=13))}
    admin_client.post(CHANGELIST, {**data, "action": "publish"})
    assert 11 in {item.case.number for item in related_cases(Case.objects.get(number=13))}


def test_select_all_is_not_refused_for_more_cases_than_a_form_may_send(admin_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10  # 20 ticked boxes would be refused; "select all" sends one
    response = select_all(admin_client, "unpublish")
    assert response.status_code == 200 and "已将 20 个案例撤回为草稿" in response.content.decode()


def test_select_all_keeps_to_the_filtered_list(admin_client):
    data = {"action": "unpublish", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [Case.objects.first().pk]}
    admin_client.post(CHANGELIST + "?region=chongqing", data)
    assert set(Case.objects.exclude(status=Case.Status.PUBLISHED).values_list("number", flat=True)) == {7, 11, 13}


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries.captured_queries)


# A few statements run only when there is something to write (a related list that changed, entries
# naming a withdrawn case): the counts of two sizes may differ by these, never by a few a case.
CONDITIONAL = 3


def assert_same_cost(small: list[int] | int, large: list[int] | int) -> None:
    small, large = (value if isinstance(value, list) else [value] for value in (small, large))
    assert all(abs(a - b) <= CONDITIONAL for a, b in zip(small, large, strict=True)), (small, large)


def test_a_status_change_costs_as_many_queries_for_eighteen_cases_as_for_two(admin_client):
    ContentType.objects.get_for_models(Case, CaseItem)  # cached for the process: not part of either count
    two = list(Case.objects.filter(number__in=[1, 2]).values_list("pk", flat=True))
    eighteen = list(Case.objects.filter(number__gt=2).values_list("pk", flat=True))

    def changes(ids: list[int]) -> list[int]:
        def post(action: str) -> None:
            assert (
                admin_client.post(CHANGELIST, {"action": action, "index": "0", ACTION_CHECKBOX_NAME: ids}).status_code
                == 302
            )

        return [queries_of(lambda: post("unpublish")), queries_of(lambda: post("publish"))]

    # The first change also records each case's state before it (the cases have no revision yet).
    assert_same_cost(changes(two), changes(eighteen))
    assert_same_cost(changes(two), changes(eighteen))


def test_a_status_change_segments_no_text(admin_client, monkeypatch):
    calls = []
    original = index_text.segment_document
    monkeypatch.setattr(index_text, "segment_document", lambda text: calls.append(text) or original(text))
    select_all(admin_client, "unpublish")
    select_all(admin_client, "publish")
    assert calls == []


# Renaming and merging topics -----------------------------------------------------


def test_a_renamed_topic_is_found_by_its_new_name_and_no_longer_by_the_old(admin_client, client):
    topic = Topic.objects.get(slug="trade-promotion")  # 会展与贸易促进, written in no case's text
    assert found('"会展与贸易促进"') == {2, 6, 9} and in_api(client, '"会展与贸易促进"') == {2, 6, 9}
    assert found('"鲲鹏会展"') == set()
    rename(admin_client, topic, "鲲鹏会展")
    assert found('"鲲鹏会展"') == {2, 6, 9} and in_api(client, '"鲲鹏会展"') == {2, 6, 9}
    assert found('"会展与贸易促进"') == set() and in_api(client, '"会展与贸易促进"') == set()
    topic.refresh_from_db()
    assert {hit.case.number for hit in search_cases(topics=[topic], page_size=100).hits} == {2, 6, 9}
    # The related cases give the topic's new name as a reason they are related.
    reasons = [item.reason for number in (2, 6, 9) for item in related_cases(Case.objects.get(number=number))]
    assert any("鲲鹏会展" in reason for reason in reasons)
    assert not any("会展与贸易促进" in reason for reason in reasons)


def test_a_topic_rename_segments_only_the_names(admin_client, monkeypatch):
    names = {topic.name for topic in Topic.objects.all()} | {"云栖会展"}
    names |= {name for region in Region.objects.all() for name in (region.full_name, region.province.name)}
    calls = []
    original = index_text.segment_document
    monkeypatch.setattr(index_text, "segment_document", lambda text: calls.append(text) or original(text))
    rename(admin_client, Topic.objects.get(slug="trade-promotion"), "云栖会展")
    assert calls.count("云栖会展") == 1 and set(calls) <= names  # each name at most once a process, no text


def test_saving_a_topic_without_renaming_it_reindexes_nothing(admin_client):
    topic = Topic.objects.get(slug="logistics")
    data = {"name": topic.name, "slug": topic.slug, "description": "新的说明", "position": topic.position + 1}
    data["opened"] = stored_digest(topic)
    before = queries_of(lambda: admin_client.post(reverse("admin:cases_topic_change", args=[topic.pk]), data))
    assert before < 30  # no reindex of its cases: the save, its log entry, the content version


def test_a_topic_rename_costs_as_many_queries_for_twenty_cases_as_for_two(admin_client):
    # Cases 2 and 6 are among each other's related cases: their reasons name the topic too.
    few, every = Topic.objects.create(name="甲类主题", slug="few"), Topic.objects.create(name="乙类主题", slug="every")
    few.cases.set(Case.objects.filter(number__in=[2, 6]))
    every.cases.set(Case.objects.all())
    assert_same_cost(
        queries_of(lambda: rename(admin_client, few, "丙类主题")),
        queries_of(lambda: rename(admin_client, every, "丁类主题")),
    )
    assert found("丙类主题") == {2, 6} and found("丁类主题") == set(range(1, 21))


def test_merging_topics_keeps_every_case_s_topics_right(admin_client, client):
    keep, gone = Topic.objects.get(slug="culture-tourism"), Topic.objects.get(slug="trade-promotion")
    before = {case.number: set(case.topics.values_list("slug", flat=True)) for case in Case.objects.all()}
    assert before[2] >= {"culture-tourism", "trade-promotion"} and "culture-tourism" not in before[9]
    data = {"action": "merge_topics", ACTION_CHECKBOX_NAME: [keep.pk, gone.pk], "post": "yes", "target": keep.pk}
    response = admin_client.post(TOPICS, data, follow=True)
    assert "并入“文化旅游”" in response.content.decode()
    for case in Case.objects.all():
        slugs = set(case.topics.values_list("slug", flat=True))
        had = before[case.number]
        assert slugs == had - {"trade-promotion"} | ({"culture-tourism"} if "trade-promotion" in had else set())
    assert found('"会展与贸易促进"') == set() and in_api(client, '"会展与贸易促进"') == set()
    assert found('"文化旅游"') >= {2, 6, 8, 9} and in_api(client, '"文化旅游"') >= {2, 6, 8, 9}
    # Facet counts follow: every case of either topic counts under the one kept.
    facets = {facet["slug"]: facet["count"] for facet in client.get(API).json()["facets"]["topic"]}
    assert facets["culture-tourism"] == 4 and "trade-promotion" not in facets
    # The related cases no longer name the topic that is gone.
    for case in Case.objects.all():
        assert not any("会展与贸易促进" in item.reason for item in related_cases(case))


def test_a_merge_costs_as_many_queries_for_twenty_cases_as_for_two(admin_client):
    def merge(numbers: list[int], name: str) -> int:
        keep = Topic.objects.create(name=f"保留{name}", slug=f"keep-{name}")
        gone = Topic.objects.create(name=f"并入{name}", slug=f"gone-{name}")
        gone.cases.set(Case.objects.filter(number__in=numbers))
        data = {"action": "merge_topics", ACTION_CHECKBOX_NAME: [keep.pk, gone.pk], "post": "yes", "target": keep.pk}
        return queries_of(lambda: admin_client.post(TOPICS, data))

    merge(list(range(1, 21)), "甲")  # the cases' first revisions are written by the first change of each
    assert_same_cost(merge([2, 6], "乙"), merge(list(range(1, 21)), "丙"))


# Deleting many cases -------------------------------------------------------------


def test_deleting_every_case_of_a_long_list_is_confirmed_on_a_short_page(admin_client, monkeypatch):
    monkeypatch.setattr("cases.admin.DELETE_LISTED", 5)
    page = select_all(admin_client, "delete_selected").content.decode()
    assert page.count("案例：<a href=") == 5 and "以及另外 15 个案例和它们的条目" in page
    summary = page[page.index("<h2>") :]
    assert "<li>案例: 20</li>" in summary and f"<li>条目: {CaseItem.objects.count()}</li>" in summary
    response = select_all(admin_client, "delete_selected", post="yes")
    assert response.status_code == 200 and not Case.objects.exists()
    assert found("铁路提单") == set() and search_cases(q="").count == 0


def test_nothing_protects_a_case_or_an_item_from_deletion():
    """The delete page does not look for protected rows (see ``CaseAdmin.get_deleted_objects``): there are none."""
    for model in (Case, CaseItem):
        for relation in model._meta.related_objects:
            assert relation.on_delete not in (models.PROTECT, models.RESTRICT), relation


# History -------------------------------------------------------------------------


def test_bulk_revisions_store_each_case_and_item_as_reversion_would():
    cases = [case for chunk in _cases_with_items(sorted(Case.objects.values_list("pk", flat=True))) for case in chunk]
    fresh = {case.pk: case for case in Case.objects.all()}
    for case in cases:
        expected = serializers.serialize("json", [fresh[case.pk]], fields=VERSIONED_CASE_FIELDS)
        assert _serialized([case], VERSIONED_CASE_FIELDS) == [expected]
        assert _serialized(case._items) == [serializers.serialize("json", [item]) for item in case._items]


@pytest.mark.parametrize("action", ["unpublish", "delete_selected"])
def test_more_cases_than_one_request_may_change_are_refused_and_nothing_changes(admin_client, settings, action):
    settings.ADMIN_BULK_MAX_CASES = 19
    response = select_all(admin_client, action, post="yes")
    html = response.content.decode()
    assert "所选的 20 个案例超过一次可处理的 19 个，没有改动" in html
    assert Case.objects.published().count() == 20
    assert found("铁路提单") == {13}
    settings.ADMIN_BULK_MAX_CASES = 20
    assert "已将 20 个案例撤回为草稿" in select_all(admin_client, "unpublish").content.decode()


# Labels of more cases than one request may reindex ------------------------------


def test_renaming_merging_or_deleting_labels_of_too_many_cases_is_refused_and_names_the_command(admin_client, settings):
    """trade-promotion labels cases 2, 6 and 9; Zhejiang (with Hangzhou) four cases."""
    settings.ADMIN_BULK_MAX_CASES = 2
    topic = Topic.objects.get(slug="trade-promotion")
    data = {"name": "鲲鹏会展", "slug": topic.slug, "description": topic.description, "position": topic.position}
    data["opened"] = stored_digest(topic)
    response = admin_client.post(reverse("admin:cases_topic_change", args=[topic.pk]), data)
    assert response.status_code == 200  # the form again, with the reason
    assert "要重建 3 个案例的检索索引，超过一次网页请求可处理的 2 个，没有改动" in response.content.decode()
    assert "manage.py relabel" in response.content.decode()
    keep = Topic.objects.get(slug="culture-tourism")
    merge = {"action": "merge_topics", ACTION_CHECKBOX_NAME: [keep.pk, topic.pk], "post": "yes", "target": keep.pk}
    assert "没有改动" in admin_client.post(TOPICS, merge, follow=True).content.decode()
    delete = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [topic.pk], "post": "yes"}
    assert "没有改动" in admin_client.post(TOPICS, delete, follow=True).content.decode()
    response = admin_client.post(reverse("admin:cases_topic_delete", args=[topic.pk]), {"post": "yes"}, follow=True)
    assert "没有改动" in response.content.decode()
    zhejiang = Region.objects.get(slug="zhejiang")
    data = {f: getattr(zhejiang, f) for f in ("name", "short_name", "slug", "level", "code")}
    data["opened"] = stored_digest(zhejiang)
    response = admin_client.post(reverse("admin:regions_region_change", args=[zhejiang.pk]), {**data, "name": "浙江"})
    assert "没有改动" in response.content.decode()
    hangzhou = Region.objects.get(slug="hangzhou")
    delete_page = reverse("admin:regions_region_delete", args=[hangzhou.pk])
    response = admin_client.post(delete_page, {"post": "yes"}, follow=True)
    assert "删除地区“杭州市”要重建 4 个案例的检索索引" in response.content.decode()
    delete = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [hangzhou.pk], "post": "yes"}
    response = admin_client.post(reverse("admin:regions_region_changelist"), delete, follow=True)
    assert "删除所选地区要重建 4 个案例的检索索引" in response.content.decode()
    assert Topic.objects.filter(slug="trade-promotion", name="会展与贸易促进").exists()
    assert Region.objects.get(slug="zhejiang").name == zhejiang.name
    assert found("杭州") == set(Case.objects.in_regions([hangzhou]).values_list("number", flat=True))
    assert found('"会展与贸易促进"') == {2, 6, 9}
    settings.ADMIN_BULK_MAX_CASES = 3  # as many as the request may reindex: done
    rename(admin_client, topic, "鲲鹏会展")
    assert found('"鲲鹏会展"') == {2, 6, 9}


def test_the_relabel_command_renames_merges_and_deletes_with_progress_and_the_search_follows():
    out = io.StringIO()
    call_command("relabel", "rename", "topic", "trade-promotion", "鲲鹏会展", stdout=out)
    assert "“会展与贸易促进”改名为“鲲鹏会展”，重建 3 个案例的索引" in out.getvalue()
    assert "已索引 3/3 个案例" in out.getvalue()
    assert found('"鲲鹏会展"') == {2, 6, 9} and found('"会展与贸易促进"') == set()
    hangzhou = set(Case.objects.in_regions([Region.objects.get(slug="hangzhou")]).values_list("number", flat=True))
    assert found("钱塘示范城") == set()
    call_command("relabel", "rename", "region", "hangzhou", "钱塘示范城", stdout=io.StringIO())
    assert found("钱塘示范城") == hangzhou and len(hangzhou) == 4
    out = io.StringIO()
    call_command("relabel", "merge", "culture-tourism", "trade-promotion", stdout=out)
    assert "3 个案例归入“文化旅游”" in out.getvalue()
    assert not Topic.objects.filter(slug="trade-promotion").exists()
    assert found('"文化旅游"') >= {2, 6, 8, 9} and found('"鲲鹏会展"') == set()
    out = io.StringIO()
    call_command("relabel", "delete", "region", "hangzhou", stdout=out)
    assert "删除地区“钱塘示范城”，重建 4 个案例的索引" in out.getvalue() and "已索引 4/4 个案例" in out.getvalue()
    assert found("钱塘示范城") == set() and Case.objects.filter(number__in=hangzhou).count() == 4
    call_command("relabel", "rename", "topic", "culture-tourism", "鲲鹏文旅", stdout=io.StringIO())
    assert found("鲲鹏文旅") >= {2, 6, 8, 9}
    call_command("relabel", "delete", "topic", "culture-tourism", stdout=io.StringIO())
    assert found("鲲鹏文旅") == set() and not Topic.objects.filter(slug="culture-tourism").exists()
    with pytest.raises(CommandError, match="下还有地区"):
        call_command("relabel", "delete", "region", "hubei", stdout=io.StringIO())
    assert Region.objects.filter(slug="hubei").exists()
    with pytest.raises(CommandError, match="没有标识为“nowhere”的主题"):
        call_command("relabel", "rename", "topic", "nowhere", "甲")
    with pytest.raises(CommandError, match="名称无效"):
        call_command("relabel", "rename", "topic", "finance", "物流运输", stdout=io.StringIO())
