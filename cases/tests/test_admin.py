"""The editorial admin, through its own views: editing, publishing, history, import, topics, permissions."""

from __future__ import annotations

import gettext
import json
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from cases.admin_import import SESSION_KEY
from cases.models import Case, CaseItem, Collection, Topic
from cases.services import cases_set_status
from conftest import SOURCE_2020
from search.index import indexing
from search.index import text as index_text
from search.index.version import content_version
from search.models import SearchText
from search.service import search_cases

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_case_changelist")
IMPORT = reverse("admin:cases_case_import")


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def found(q: str) -> set[int]:
    """The cases with every word of ``q`` (not those listed after them with only some)."""
    results = search_cases(q=q, page_size=100)
    return {hit.case.number for hit in results.hits[: results.all_word_count]}


def case_form_data(case: Case) -> dict:
    """The case's change form as the browser posts it back, unchanged; items in the order the page shows them."""
    items = list(case.items.order_by("section", "position", "pk"))
    data = {
        "collection": case.collection_id,
        "number": case.number,
        "title": case.title,
        "provider": case.provider,
        "summary": case.summary,
        "status": case.status,
        "regions": [r.pk for r in case.regions.all()],
        "topics": [t.pk for t in case.topics.all()],
        "version": Case.objects.values_list("version", flat=True).get(pk=case.pk),  # as the form was opened now
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"items-{index}-id": item.pk,
                f"items-{index}-case": case.pk,
                f"items-{index}-section": item.section,
                f"items-{index}-position": item.position,
                f"items-{index}-heading": item.heading,
                f"items-{index}-body": item.body,
                **(
                    {f"items-{index}-numbered": "on"} if item.numbered else {}
                ),  # a ticked box; an unticked one is not sent
            }
        )
    return data


def restore(client, version_url: str):
    """Restore as the history page's button does: with the version the page was opened at."""
    opened = re.search(r'name="version" value="(\d+)"', client.get(version_url).content.decode())
    return client.post(version_url, {"version": opened[1]}, follow=True)


def form_index(data: dict, item: CaseItem) -> int:
    return next(int(key.split("-")[1]) for key, value in data.items() if key.endswith("-id") and value == item.pk)


def save(client, case: Case, data: dict) -> None:
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def section_items(case: Case, section: int = CaseItem.Section.MEASURE) -> list[CaseItem]:
    return list(case.items.filter(section=section).order_by("position"))


def upload(data: bytes, name: str = "source.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def snapshot() -> list:
    """Everything an import may write."""
    return [
        *Collection.objects.order_by("pk").values_list("pk", "slug"),
        *Case.objects.order_by("pk").values_list("pk", "title", "summary", "status", "updated_at"),
        *CaseItem.objects.order_by("pk").values_list("pk", "case_id", "section", "position", "heading", "body"),
        Version.objects.count(),
    ]


@pytest.fixture
def editor(client) -> User:
    user = User.objects.create_user("editor", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


# Editing ---------------------------------------------------------------------


class TestEditing:
    def test_the_change_page_shows_the_items_autocomplete_and_view_on_site(self, admin_client):
        case = Case.objects.get(number=1)
        html = admin_client.get(change_url(case)).content.decode()
        assert "明确适合聘用外国人才的工作岗位。" in html
        assert "admin-autocomplete" in html
        assert case.get_absolute_url() in html  # 在网站上查看

    def test_an_inline_edit_changes_the_public_page(self, admin_client, client):
        case = Case.objects.get(number=1)
        first = section_items(case)[0]
        data = case_form_data(case)
        data[f"items-{form_index(data, first)}-body"] = "改写后的第一条正文。"
        save(admin_client, case, data)
        first.refresh_from_db()
        assert first.body == "改写后的第一条正文。"
        assert "改写后的第一条正文。" in client.get(case.get_absolute_url()).content.decode()

    def test_moving_an_item_up_renumbers_the_section(self, admin_client, client):
        case = Case.objects.get(number=1)
        items = section_items(case)
        assert len(items) == 4
        data = case_form_data(case)
        data[f"items-{form_index(data, items[3])}-position"] = 2  # the fourth item becomes the second
        save(admin_client, case, data)
        assert [item.pk for item in section_items(case)] == [items[0].pk, items[3].pk, items[1].pk, items[2].pk]
        assert [item.position for item in section_items(case)] == [1, 2, 3, 4]
        html = client.get(case.get_absolute_url()).content.decode()
        assert html.index(items[3].heading) < html.index(items[1].heading)
        assert "（二）" + items[3].heading in html

    def test_swapping_two_items_and_moving_one_down(self, admin_client):
        case = Case.objects.get(number=1)
        a, b, c, d = section_items(case)
        data = case_form_data(case)
        data[f"items-{form_index(data, a)}-position"] = 2
        data[f"items-{form_index(data, b)}-position"] = 1
        save(admin_client, case, data)
        assert [item.pk for item in section_items(case)] == [b.pk, a.pk, c.pk, d.pk]
        data = case_form_data(case)
        data[f"items-{form_index(data, b)}-position"] = 4  # first to last
        save(admin_client, case, data)
        assert [item.pk for item in section_items(case)] == [a.pk, c.pk, d.pk, b.pk]

    def test_adding_an_item_without_position_appends_it_and_deleting_one_closes_the_gap(self, admin_client):
        case = Case.objects.get(number=1)
        a, b, c, d = section_items(case)
        data = case_form_data(case)
        total = data["items-TOTAL_FORMS"]
        data.update(
            {
                "items-TOTAL_FORMS": total + 1,
                f"items-{total}-case": case.pk,
                f"items-{total}-section": CaseItem.Section.MEASURE,
                f"items-{total}-position": "",
                f"items-{total}-heading": "新增一条做法。",
                f"items-{total}-body": "新增条目的正文。",
                f"items-{form_index(data, b)}-DELETE": "on",
            }
        )
        save(admin_client, case, data)
        items = section_items(case)
        assert [item.heading for item in items] == [a.heading, c.heading, d.heading, "新增一条做法。"]
        assert [item.position for item in items] == [1, 2, 3, 4]
        assert found("新增条目的正文") == {1}

    def test_a_new_case_with_its_items_is_saved_in_order_and_searchable(self, admin_client, client):
        collection = Collection.objects.get(slug="service-trade-2020")
        items = [
            (1, "第一条做法。", "做法正文甲。"),
            (1, "", "无编号的段落。"),
            (2, "", "效果显著。"),
            (3, "下一步。", ""),
        ]
        data = {
            "collection": collection.pk,
            "number": 21,
            "title": "探索数据跨境流动试点",
            "provider": "海南省提供",
            "summary": "",
            "status": "draft",
            "regions": [Case.objects.get(number=1).regions.get().pk],
            "items-TOTAL_FORMS": len(items),
            "items-INITIAL_FORMS": 0,
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000,
        }
        for index, (section, heading, body) in enumerate(items):
            data.update(
                {
                    f"items-{index}-section": section,
                    f"items-{index}-position": "",
                    f"items-{index}-heading": heading,
                    f"items-{index}-body": body,
                }
            )
        response = admin_client.post(reverse("admin:cases_case_add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        case = Case.objects.get(number=21)
        assert [(i.section, i.position, i.body) for i in case.items.order_by("section", "position")] == [
            (1, 1, "做法正文甲。"),
            (1, 2, "无编号的段落。"),
            (2, 1, "效果显著。"),
            (3, 1, ""),
        ]
        assert client.get(case.get_absolute_url()).status_code == 404  # a draft
        assert {c.number for c in admin_client.get(CHANGELIST, {"q": '"数据跨境流动"'}).context["cl"].result_list} == {
            21
        }

    def test_an_item_with_neither_heading_nor_body_is_refused(self, admin_client):
        case = Case.objects.get(number=1)
        first = section_items(case)[0]
        data = case_form_data(case)
        index = form_index(data, first)
        data[f"items-{index}-heading"] = data[f"items-{index}-body"] = ""
        response = admin_client.post(change_url(case), data)
        assert response.status_code == 200
        assert "条目的要点和正文不能都为空" in response.content.decode()
        first.refresh_from_db()
        assert first.heading


# Search and the change list ---------------------------------------------------------


class TestChangeList:
    def test_columns_and_filters(self, admin_client):
        html = admin_client.get(CHANGELIST).content.decode()
        for text in ["序号", "标题", "案例集", "地区", "状态", "更新时间", "杭州市、武汉市、成都市", "导入原文"]:
            assert text in html
        assert "?region=sichuan" in html and "?topics__id__exact=" in html and "?status__exact=draft" in html

    def test_admin_search_uses_the_site_search_and_includes_drafts(self, admin_client):
        expected = {hit.case.pk for hit in search_cases(q="融资", page_size=100).hits}
        assert len(expected) > 3
        Case.objects.filter(pk=min(expected)).update(status=Case.Status.DRAFT)
        response = admin_client.get(CHANGELIST, {"q": "融资"})
        assert {case.pk for case in response.context["cl"].result_list} == expected
        assert {case.number for case in admin_client.get(CHANGELIST, {"q": "17"}).context["cl"].result_list} == {17}

    @pytest.mark.parametrize("q", ["②", "①②", "¹", "99999999999", "Ⅳ"])
    def test_admin_search_for_digits_of_other_scripts_is_no_error(self, admin_client, q):
        assert admin_client.get(CHANGELIST, {"q": q}).status_code == 200

    def test_a_province_filter_includes_its_cities(self, admin_client):
        response = admin_client.get(CHANGELIST, {"region": "sichuan"})
        assert {case.number for case in response.context["cl"].result_list} == {2, 12, 17}

    @pytest.mark.parametrize(
        "params", [{}, {"q": "融资"}, {"q": "融资 OR 物流", "status__exact": "published"}, {"region": "sichuan"}]
    )
    def test_the_change_list_makes_a_fixed_number_of_queries(self, admin_client, django_assert_num_queries, params):
        admin_client.get(CHANGELIST)  # warm the content-type cache and the session
        # Session, user, three filters' choices (collections, regions, topics), two counts, the page of cases
        # with their collections, their regions with provinces; a savepoint and its release (the revision).
        with django_assert_num_queries(11):
            response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        copy = Case.objects.get(number=17)
        regions = list(copy.regions.all())
        copy.pk, copy.number = None, 99
        copy.save()
        copy.regions.set(regions)
        with django_assert_num_queries(11):
            admin_client.get(CHANGELIST, params)


# Draft and publish -----------------------------------------------------------


def run_action(client, action: str, cases: list[Case]):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [case.pk for case in cases], "index": 0}, follow=True
    )


def test_unpublish_and_publish_change_what_the_public_sees(admin_client, client):
    railway = Case.objects.get(number=13)
    other = Case.objects.get(number=1)
    assert client.get(railway.get_absolute_url()).status_code == 200
    assert found("铁路提单") == {13}

    response = run_action(admin_client, "unpublish", [railway, other])
    assert "已将 2 个案例撤回为草稿" in response.content.decode()
    assert client.get(railway.get_absolute_url()).status_code == 404
    assert found("铁路提单") == set()
    assert admin_client.get(railway.get_absolute_url()).status_code == 200  # staff still see the draft

    response = run_action(admin_client, "publish", [railway])
    assert "已发布 1 个案例" in response.content.decode()
    assert client.get(railway.get_absolute_url()).status_code == 200
    assert found("铁路提单") == {13}
    assert Case.objects.get(number=1).status == Case.Status.DRAFT

    response = run_action(admin_client, "publish", [railway])
    assert "都已是“已发布”状态" in response.content.decode()
    versions = list(Version.objects.get_for_object(railway).select_related("revision").order_by("pk"))
    assert [v.revision.comment for v in versions] == ["首次修改前的内容（自动记录）", "撤回为草稿", "发布"]
    assert [v.field_dict["status"] for v in versions] == ["published", "draft", "published"]
    assert [v.revision.comment for v in Version.objects.get_for_object(other)] == [
        "撤回为草稿",
        "首次修改前的内容（自动记录）",
    ]
    html = admin_client.get(
        reverse("admin:cases_case_revision", args=[railway.pk, versions[1].pk]), {"compare": "previous"}
    ).content.decode()
    assert "<del>已发布</del> → <ins>草稿</ins>" in html


class TestStatusService:
    def test_withdrawn_cases_leave_public_search_in_one_update_and_one_reindex(self):
        railway, talent = Case.objects.get(number=13), Case.objects.get(number=17)
        assert found("铁路提单") == {13} and 17 in found("人才")
        versions = Version.objects.count()
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(indexing, "_reindex_now", wraps=indexing._reindex_now) as reindex,
            mock.patch.object(index_text, "segment_document", wraps=index_text.segment_document) as segment,
        ):
            assert cases_set_status(case_ids=[railway.pk, talent.pk], status=Case.Status.DRAFT) == 2
        updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "cases_case"')]
        assert len(updates) == 1
        reindex.assert_called_once()
        assert reindex.call_args.args[0] == {railway.pk: indexing.STATUS, talent.pk: indexing.STATUS}
        segment.assert_not_called()  # no text changed: none is segmented again
        assert found("铁路提单") == set() and 17 not in found("人才")
        assert Version.objects.count() == versions  # no revision is open: none is written

        assert cases_set_status(case_ids=[railway.pk, talent.pk], status=Case.Status.PUBLISHED) == 2
        assert found("铁路提单") == {13} and 17 in found("人才")

    def test_cases_already_in_the_status_are_left_alone(self):
        railway = Case.objects.get(number=13)
        with mock.patch.object(indexing, "_reindex_now") as reindex:
            assert cases_set_status(case_ids=[railway.pk], status=Case.Status.PUBLISHED) == 0
        reindex.assert_not_called()
        assert Case.objects.get(pk=railway.pk).updated_at == railway.updated_at

    def test_an_unknown_status_is_refused_and_changes_nothing(self):
        railway = Case.objects.get(number=13)
        with pytest.raises(ValidationError):
            cases_set_status(case_ids=[railway.pk], status="archived")
        assert Case.objects.get(pk=railway.pk).status == Case.Status.PUBLISHED
        assert found("铁路提单") == {13}


# History ---------------------------------------------------------------------


def test_a_case_with_hundreds_of_items_can_be_saved(admin_client):
    """Eight fields an item: well past Django's default limit of 1,000 fields a request."""
    case = Case.objects.get(number=5)
    last = case.items.filter(section=CaseItem.Section.OUTCOME).count()
    CaseItem.objects.bulk_create(
        CaseItem(case=case, section=CaseItem.Section.OUTCOME, position=last + n, body=f"补充的第 {n} 条。")
        for n in range(1, 161)
    )
    data = case_form_data(case)
    data["title"] = "条目很多的案例"
    save(admin_client, case, data)
    assert Case.objects.get(pk=case.pk).title == "条目很多的案例" and case.items.count() > 160


class TestHistory:
    def test_restore_brings_back_the_old_text_items_and_search_hits(self, admin_client, client):
        case = Case.objects.get(number=13)
        before = [(i.section, i.position, i.heading, i.body) for i in case.items.order_by("section", "position")]
        old_title = case.title
        assert found("铁路提单") == {13}

        data = case_form_data(case)
        data["title"] = "创新多式联运单证模式"
        data["summary"] = "导语已改写。"
        for key in [k for k in data if k.endswith("-heading") or k.endswith("-body")]:
            data[key] = "改写后的文字。" if key.endswith("-body") else ""
        doomed = section_items(case)[0]
        data[f"items-{form_index(data, doomed)}-DELETE"] = "on"
        save(admin_client, case, data)
        assert found("铁路提单") == set()
        assert not CaseItem.objects.filter(pk=doomed.pk).exists()

        versions = list(Version.objects.get_for_object(case).order_by("pk"))
        assert len(versions) == 2  # the text before the first edit, then the edit
        history = admin_client.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode()
        assert "首次修改前的内容" in history and "admin" in history
        version_url = reverse("admin:cases_case_revision", args=[case.pk, versions[0].pk])
        diff = admin_client.get(version_url).content.decode()
        # Every item of case 13 has a body, so the new text is marked where it differs from the old.
        assert "<del>" in diff and "<ins>改写后" in diff and "铁路提单" in diff
        assert "删除" in diff and "恢复到此版本" in diff
        assert "这是最早的版本" in admin_client.get(version_url, {"compare": "previous"}).content.decode()
        edit_url = reverse("admin:cases_case_revision", args=[case.pk, versions[1].pk])
        assert "改写后的文字。" in admin_client.get(edit_url, {"compare": "previous"}).content.decode()

        response = restore(admin_client, version_url)
        assert "已恢复到" in response.content.decode()
        case.refresh_from_db()
        assert case.title == old_title
        after = [(i.section, i.position, i.heading, i.body) for i in case.items.order_by("section", "position")]
        assert after == before
        assert CaseItem.objects.filter(pk=doomed.pk).exists()  # the deleted item is back, same identity
        assert found("铁路提单") == {13}
        assert old_title in client.get(case.get_absolute_url()).content.decode()
        # The restore is a revision too: the edited text can be brought back in turn.
        assert Version.objects.get_for_object(case).count() == 3
        restore(admin_client, edit_url)
        assert found("铁路提单") == set()
        assert Case.objects.get(pk=case.pk).title == "创新多式联运单证模式"

    def test_the_diff_of_an_edit_shows_the_changed_words_and_moved_items(self, admin_client):
        case = Case.objects.get(number=1)
        _, b, _, d = section_items(case)
        data = case_form_data(case)
        data[f"items-{form_index(data, b)}-body"] = b.body.replace("外国人", "外籍人才", 1)
        data[f"items-{form_index(data, d)}-position"] = 1
        save(admin_client, case, data)
        latest = Version.objects.get_for_object(case).order_by("-pk").first()
        html = admin_client.get(
            reverse("admin:cases_case_revision", args=[case.pk, latest.pk]), {"compare": "previous"}
        ).content.decode()
        assert "外国人" in b.body and "外<del>国</del><ins>籍</ins>人<ins>才</ins>" in html
        assert "移动" in html and "原为主要做法 第 4 条" in html
        assert "修改" in html

    def test_restore_keeps_the_status(self, admin_client, client):
        case = Case.objects.get(number=2)
        data = case_form_data(case)
        data["title"] = "临时标题"
        save(admin_client, case, data)
        run_action(admin_client, "unpublish", [case])
        first = Version.objects.get_for_object(case).order_by("pk").first()
        restore(admin_client, reverse("admin:cases_case_revision", args=[case.pk, first.pk]))
        case.refresh_from_db()
        assert case.title != "临时标题" and case.status == Case.Status.DRAFT
        assert client.get(case.get_absolute_url()).status_code == 404

    def test_a_version_that_no_longer_passes_validation_is_refused_and_nothing_changes(self, admin_client):
        case = Case.objects.get(number=3)
        data = case_form_data(case)
        data["title"] = "临时标题"
        save(admin_client, case, data)
        first = Version.objects.get_for_object(case).order_by("pk").first()
        stored = json.loads(first.serialized_data)
        stored[0]["fields"]["title"] = "长" * 201  # longer than a title may now be
        first.serialized_data = json.dumps(stored)
        first.save()
        versions = Version.objects.count()
        response = restore(admin_client, reverse("admin:cases_case_revision", args=[case.pk, first.pk]))
        assert "无法恢复" in response.content.decode()
        assert Case.objects.get(pk=case.pk).title == "临时标题"
        assert Version.objects.count() == versions
        assert found("临时标题") == {3}

    def test_a_version_of_another_case_is_404(self, admin_client):
        one, two = Case.objects.get(number=1), Case.objects.get(number=2)
        save(admin_client, one, case_form_data(one))
        version = Version.objects.get_for_object(one).first()
        assert admin_client.get(reverse("admin:cases_case_revision", args=[two.pk, version.pk])).status_code == 404


# Import ----------------------------------------------------------------------


def source() -> str:
    return SOURCE_2020.read_text(encoding="utf-8")


def preview(client, data: bytes, **fields):
    return client.post(IMPORT, {"document": upload(data), "new_case_status": "draft", "_preview": "1", **fields})


class TestImport:
    def test_the_change_list_links_to_the_import_page(self, admin_client):
        assert IMPORT in admin_client.get(CHANGELIST).content.decode()
        assert admin_client.get(IMPORT).status_code == 200

    def test_preview_of_a_changed_document_lists_the_change_and_writes_nothing(self, admin_client):
        collection = Collection.objects.get(slug="service-trade-2020")
        changed = (
            source()
            .replace("允许和鼓励事业单位", "允许并鼓励事业单位")
            .replace("优化事业单位对外籍人员的管理和服务", "优化事业单位对外籍人员的服务")
        )
        before, version = snapshot(), content_version()
        response = preview(admin_client, changed.encode(), collection=collection.pk)
        html = response.content.decode()
        assert response.status_code == 200
        assert "尚未写入" in html and "有改动的案例（1）" in html and "标题、条目" in html
        assert "新增 0 个，更新 1 个，未变 19 个" in html
        assert snapshot() == before
        assert content_version() == version  # nothing reindexed: cached pages stay valid
        assert admin_client.session[SESSION_KEY]["text"] == changed

    def test_preview_into_a_new_collection_writes_nothing(self, admin_client):
        before = snapshot()
        response = preview(
            admin_client, source().encode(), new_slug="copy-2020", new_title="副本", new_year=2020, collection=""
        )
        html = response.content.decode()
        assert "新增的案例（20）" in html and "新案例集“副本”" in html
        assert snapshot() == before
        assert not Collection.objects.filter(slug="copy-2020").exists()

    def test_a_confirmed_import_writes_the_cases_as_drafts(self, admin_client, client):
        preview(admin_client, source().encode(), new_slug="copy-2020", new_title="副本", new_year=2020)
        token = admin_client.session[SESSION_KEY]["token"]
        with mock.patch.object(indexing, "_reindex_now", wraps=indexing._reindex_now) as reindex:
            response = admin_client.post(IMPORT, {"_confirm": "1", "token": token}, follow=True)
        assert "已导入“副本”：新增 20 个，更新 0 个，未变 0 个" in response.content.decode()
        copies = Case.objects.filter(collection__slug="copy-2020")
        # Each new case once, at the end, whole.
        reindex.assert_called_once()
        assert reindex.call_args.args[0] == dict.fromkeys(copies.values_list("pk", flat=True), indexing.EVERYTHING)
        assert copies.count() == 20 and set(copies.values_list("status", flat=True)) == {"draft"}
        assert SESSION_KEY not in admin_client.session
        assert found("铁路提单") == {13}  # drafts stay out of public search
        assert client.get(copies.get(number=13).get_absolute_url()).status_code == 404
        assert len(admin_client.get(CHANGELIST, {"q": "铁路提单"}).context["cl"].result_list) == 2
        # Confirming again does nothing and says so.
        response = admin_client.post(IMPORT, {"_confirm": "1", "token": token}, follow=True)
        assert response.status_code == 200 and "此导入已完成" in response.content.decode()
        assert Case.objects.filter(collection__slug="copy-2020").count() == 20

    def test_a_confirmed_update_is_recorded_and_can_be_undone(self, admin_client):
        collection = Collection.objects.get(slug="service-trade-2020")
        changed = source().replace("允许和鼓励事业单位", "允许并鼓励事业单位")
        preview(admin_client, changed.encode(), collection=collection.pk)
        response = admin_client.post(
            IMPORT, {"_confirm": "1", "token": admin_client.session[SESSION_KEY]["token"]}, follow=True
        )
        assert "更新 1 个，未变 19 个" in response.content.decode()
        case = Case.objects.get(collection=collection, number=1)
        assert case.status == Case.Status.PUBLISHED  # existing cases keep their status
        assert found('"允许并鼓励"') == {1}
        versions = list(Version.objects.get_for_object(case).select_related("revision").order_by("pk"))
        assert [v.revision.comment for v in versions] == ["首次修改前的内容（自动记录）", "导入原文“source.txt”"]
        restore(admin_client, reverse("admin:cases_case_revision", args=[case.pk, versions[0].pk]))
        assert case.items.filter(body__startswith="允许和鼓励事业单位").exists()
        assert found('"允许并鼓励"') == set() and 1 in found('"允许和鼓励"')

    def test_a_wrong_token_writes_nothing(self, admin_client):
        preview(admin_client, source().encode(), new_slug="copy-2020", new_title="副本")
        before = snapshot()
        response = admin_client.post(IMPORT, {"_confirm": "1", "token": "forged"}, follow=True)
        assert "没有待确认的导入" in response.content.decode()
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("make", "message", "needle"),
        [
            (
                lambda: source().replace("（威海市提供）", "（烟台市提供）").encode(),
                "“烟台市”不是已知地区",
                "（烟台市提供）",
            ),
            (
                lambda: source().replace("（二）建立学术评审委员会", "（三）建立学术评审委员会", 1).encode(),
                "条目编号应为（二），实为（三）",
                "（三）建立学术评审委员会",
            ),
            (lambda: source().encode("gbk"), "不是 UTF-8 编码的文本", None),
            (lambda: bytes(range(256)) * 8, "二进制", None),
        ],
        ids=["unknown region", "item numbering", "gbk", "binary"],
    )
    def test_a_broken_document_is_rejected_with_its_line_and_nothing_is_written(
        self, admin_client, make, message, needle
    ):
        data = make()
        before = snapshot()
        response = preview(admin_client, data, collection=Collection.objects.get(slug="service-trade-2020").pk)
        html = response.content.decode()
        assert "文件有错误，未导入" in html and message in html
        if needle:
            line = next(n for n, text in enumerate(data.decode().splitlines(), 1) if needle in text)
            assert f"第 {line} 行" in html
        else:
            assert "第 1 行" in html
        assert snapshot() == before
        assert SESSION_KEY not in admin_client.session
        assert "确认导入" not in html

    def test_an_oversized_or_non_text_upload_is_refused(self, admin_client):
        response = admin_client.post(
            IMPORT, {"document": upload(b"x" * (5 * 1024 * 1024 + 1)), "collection": "1", "new_case_status": "draft"}
        )
        assert "文件过大" in response.content.decode()
        response = admin_client.post(IMPORT, {"document": upload(b"x" * (6 * 1024 * 1024))}, follow=True)
        assert "文件过大" in response.content.decode() and SESSION_KEY not in admin_client.session
        response = admin_client.post(
            IMPORT, {"document": upload(b"1", name="cases.pdf"), "collection": "1", "new_case_status": "draft"}
        )
        assert "请上传 .txt 文本文件" in response.content.decode()

    def test_a_new_collection_needs_a_free_slug_and_a_title(self, admin_client):
        response = preview(admin_client, source().encode(), new_slug="service-trade-2020")
        html = response.content.decode()
        assert "已有案例集使用这个标识" in html and "新建案例集时请填写标题" in html

    def test_a_slug_with_a_space_is_named_as_the_problem_not_as_missing(self, admin_client):
        html = preview(admin_client, source().encode(), new_slug="a b", new_title="副本").content.decode()
        assert "标识只能含英文字母、数字、连字符和下划线，不能有空格或汉字" in html
        assert "新建案例集时请填写标识" not in html and "字段" not in html


# Topics and regions ----------------------------------------------------------


def test_merging_topics_moves_their_cases_and_reindexes(admin_client):
    keep, gone = Topic.objects.get(slug="culture-tourism"), Topic.objects.get(slug="trade-promotion")
    gone_cases = set(gone.cases.values_list("number", flat=True))
    assert gone_cases and found(f'"{gone.name}"') == gone_cases
    url = reverse("admin:cases_topic_changelist")
    selection = {"action": "merge_topics", "_selected_action": [keep.pk, gone.pk]}
    page = admin_client.post(url, selection)
    assert page.status_code == 200 and "保留哪个主题" in page.content.decode()
    with mock.patch.object(indexing, "_reindex_now", wraps=indexing._reindex_now) as reindex:
        response = admin_client.post(url, {**selection, "post": "yes", "target": keep.pk}, follow=True)
    assert f"并入“{keep.name}”" in response.content.decode()
    assert reindex.call_count == 1  # each affected case once, at the end
    for case in Case.objects.filter(number__in=gone_cases):  # the merge is in each case's history
        versions = Version.objects.get_for_object(case).select_related("revision").order_by("pk")
        assert [v.revision.comment for v in versions] == [
            "首次修改前的内容（自动记录）",
            f"主题“{gone.name}”并入“{keep.name}”",
        ]
        assert keep.pk in versions.last().field_dict["topics"]
    assert not Topic.objects.filter(pk=gone.pk).exists()
    assert gone_cases <= set(keep.cases.values_list("number", flat=True))
    assert found(f'"{gone.name}"') == set()
    assert gone_cases <= found(f'"{keep.name}"')


def test_deleting_a_topic_reindexes_its_cases(admin_client):
    topic = Topic.objects.get(slug="trade-promotion")
    assert found(f'"{topic.name}"')
    response = admin_client.post(reverse("admin:cases_topic_delete", args=[topic.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert found(f'"{topic.name}"') == set()


def test_regions_and_topics_offer_autocomplete(admin_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "cases", "model_name": "case", "field_name": "regions", "term": "两江"}
    results = admin_client.get(url, params).json()["results"]
    assert [r["text"] for r in results] == ["重庆两江新区"]
    params = {**params, "field_name": "topics", "term": "金融"}
    assert [r["text"] for r in admin_client.get(url, params).json()["results"]] == ["金融服务"]


# Permissions -----------------------------------------------------------------


class TestEditors:
    def test_the_group_has_editorial_permissions_and_none_over_users(self):
        codenames = set(
            Group.objects.get(name="editors").permissions.values_list("content_type__app_label", "codename")
        )
        assert ("cases", "import_documents") in codenames
        assert ("cases", "change_case") in codenames and ("regions", "delete_region") in codenames
        assert ("reversion", "view_revision") in codenames
        assert not {app for app, _ in codenames} & {"auth", "contenttypes", "sessions", "admin"}

    def test_an_editor_curates_the_synonym_table(self, client, editor):
        changelist = reverse("admin:search_synonym_changelist")
        assert client.get(changelist).status_code == 200
        response = client.post(reverse("admin:search_synonym_add"), {"words": "口岸 关口", "note": "", "active": "on"})
        assert response.status_code == 302
        assert "关口" in client.get(changelist).content.decode()

    def test_an_editor_cannot_manage_users_or_groups(self, client, editor):
        assert client.get("/admin/auth/user/").status_code == 403
        assert client.get("/admin/auth/group/").status_code == 403
        assert client.get(reverse("admin:auth_user_change", args=[editor.pk])).status_code == 403

    def test_an_editor_edits_cases_publishes_and_imports(self, client, editor):
        case = Case.objects.get(number=5)
        data = case_form_data(case)
        data["title"] = "编辑改过的标题"
        save(client, case, data)
        assert Case.objects.get(pk=case.pk).title == "编辑改过的标题"
        assert "已将 1 个案例撤回为草稿" in run_action(client, "unpublish", [case]).content.decode()
        assert client.get(reverse("admin:cases_case_history", args=[case.pk])).status_code == 200
        assert client.get(CHANGELIST).status_code == 200 and IMPORT in client.get(CHANGELIST).content.decode()
        response = preview(client, source().encode(), new_slug="copy-2020", new_title="副本")
        assert "新增的案例（20）" in response.content.decode()

    def test_staff_without_the_import_permission_cannot_import(self, client):
        user = User.objects.create_user("reader", password="unused", is_staff=True)
        client.force_login(user)
        assert client.get(IMPORT).status_code == 403


# How the pages look ------------------------------------------------------------


class AdminPage(HTMLParser):
    """An admin page as parsed HTML: its elements with their attributes, and the text a reader sees."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def find(self, tag: str, **attrs: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def with_class(self, tag: str, *classes: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and set(classes) <= set(a.get("class", "").split())]

    def title(self) -> str:
        return next(text for text in self.texts if text.endswith("案例库管理"))


def admin_page(client, url: str) -> AdminPage:
    response = client.get(url)
    assert response.status_code == 200, url
    return AdminPage(response.content.decode())


def admin_pages(client) -> dict[str, str]:
    """The pages an editor works on, with a draft case among the cases and a revision to compare."""
    case = Case.objects.get(number=2)
    save(client, case, case_form_data(case))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    version = Version.objects.get_for_object(case).first()
    region = case.regions.first()
    return {
        "case list": CHANGELIST,
        "drafts": f"{CHANGELIST}?status__exact=draft",
        "case search": f"{CHANGELIST}?q=融资",
        "case change": change_url(case),
        "case add": reverse("admin:cases_case_add"),
        "case history": reverse("admin:cases_case_history", args=[case.pk]),
        "case version": reverse("admin:cases_case_revision", args=[case.pk, version.pk]),
        "case delete": reverse("admin:cases_case_delete", args=[case.pk]),
        "import": IMPORT,
        "topic list": reverse("admin:cases_topic_changelist"),
        "topic change": reverse("admin:cases_topic_change", args=[case.topics.first().pk]),
        "region list": reverse("admin:regions_region_changelist"),
        "region change": reverse("admin:regions_region_change", args=[region.pk]),
        "region history": reverse("admin:regions_region_history", args=[region.pk]),
        "collection list": reverse("admin:cases_collection_changelist"),
        "admin index": reverse("admin:index"),
        "security log": reverse("admin:axes_accessattempt_changelist"),
    }


CHINESE_SPACED = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")


class TestLook:
    def test_no_page_has_an_inline_style_or_english_chrome(self, admin_client):
        """The site's CSP refuses inline styles (each one is a console error), and the admin speaks Chinese."""
        styled, english, spaced = {}, {}, {}
        for name, url in admin_pages(admin_client).items():
            page = admin_page(admin_client, url)
            inline = [f"<{tag} style={attrs['style']!r}>" for tag, attrs in page.elements if "style" in attrs]
            inline += ["<style>" for tag, _ in page.elements if tag == "style"]
            if inline:
                styled[name] = inline[:3]
            leaks = {"Delete?", "删除？", "删除?", "Axes", "Access attempts", "Model name", "Add link", "Search"}
            words = set(page.texts) | {attrs.get("alt", "") for _, attrs in page.elements}
            if words & leaks:
                english[name] = words & leaks
            if CHINESE_SPACED.search(page.title()):
                spaced[name] = page.title()
        assert not styled, styled
        assert not english, english
        assert not spaced, spaced

    def test_a_form_with_errors_and_an_action_say_so_in_chinese(self, admin_client):
        case = Case.objects.get(number=1)
        data = case_form_data(case)
        data["title"] = ""
        response = admin_client.post(change_url(case), data)
        assert response.status_code == 200 and AdminPage(response.content.decode()).title().startswith("有错误：")
        doomed = list(Case.objects.filter(number__in=[2, 3]))
        response = admin_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [c.pk for c in doomed], "post": "yes"},
            follow=True,
        )
        assert "已删除 2 个案例。" in response.content.decode()

    def test_titles_read_as_chinese(self, admin_client):
        """Not Django's "选择 案例 来修改" and "修改 案例"; a filter is headed 按…, not 以 …."""
        case = Case.objects.get(number=1)
        assert "选择要修改的案例" in admin_page(admin_client, CHANGELIST).texts
        assert "修改案例" in admin_page(admin_client, change_url(case)).texts
        assert "增加案例" in admin_page(admin_client, reverse("admin:cases_case_add")).texts
        assert "选择要修改的主题" in admin_page(admin_client, reverse("admin:cases_topic_changelist")).texts
        regions = admin_page(admin_client, reverse("admin:regions_region_changelist"))
        assert "选择要修改的地区" in regions.texts and "按层级" in regions.texts
        assert "案例管理" in admin_page(admin_client, reverse("admin:app_list", args=["cases"])).texts

    def test_the_change_page_gives_long_text_the_full_width(self, admin_client):
        case = Case.objects.get(number=1)
        page = admin_page(admin_client, change_url(case))
        (summary,) = page.find("textarea", name="summary")
        assert int(summary["rows"]) >= 6 and "wide-text" in summary["class"].split()
        for field in ("title", "provider"):
            (box,) = page.find("input", name=field)
            assert "wide-text" in box["class"].split()
        items = case.items.count()
        bodies = [a for a in page.with_class("textarea", "wide-text") if re.fullmatch(r"items-\d+-body", a["name"])]
        headings = [a for a in page.with_class("input", "wide-text") if re.fullmatch(r"items-\d+-heading", a["name"])]
        assert len(bodies) == len(headings) == items
        assert all(int(body["rows"]) >= 6 for body in bodies)
        # each item is a block of its own (stacked), not a row of a table
        assert len(page.with_class("div", "inline-related", "has_original")) == items
        assert not page.with_class("table", "tabular") and not page.with_class("div", "tabular")
        # its delete box is labelled 删除; the ordering help is given once, and the position fields point to it
        html = admin_client.get(change_url(case)).content.decode()
        assert len(re.findall(r'<label for="id_items-\d+-DELETE">删除</label>', html)) == items
        assert len(page.find("p", id="items-ordering-help")) == 1
        positions = [a for a in page.find("input", type="number") if a["name"].endswith("-position")]
        assert positions and all(a["aria-describedby"] == "items-ordering-help" for a in positions)

    def test_drafts_are_red_and_published_cases_green(self, admin_client):
        draft = Case.objects.get(number=2)
        Case.objects.filter(pk=draft.pk).update(status=Case.Status.DRAFT)
        html = admin_client.get(CHANGELIST).content.decode()
        page = AdminPage(html)
        assert len(page.with_class("span", "status-badge", "status-draft")) == 1
        assert len(page.with_class("span", "status-badge", "status-published")) == 19
        assert re.search(r'<span class="status-badge status-draft">草稿</span>', html)
        assert re.search(r'<span class="status-badge status-published">已发布</span>', html)
        (select,) = admin_page(admin_client, change_url(draft)).find("select", name="status")
        assert select["class"].split() == ["status-select", "status-draft"]
        (select,) = admin_page(admin_client, change_url(Case.objects.get(number=1))).find("select", name="status")
        assert select["class"].split() == ["status-select", "status-published"]

    def test_the_stylesheet_defines_every_class_the_pages_use_for_layout(self, admin_client):
        css = (settings.BASE_DIR / "static" / "css" / "admin-extra.css").read_text(encoding="utf-8")
        for name in ["wide-text", "position-input", "status-badge", "status-draft", "status-published"]:
            assert f".{name}" in css, name
        (link,) = [a for a in admin_page(admin_client, CHANGELIST).find("link") if "admin-extra" in a["href"]]
        assert link["rel"] == "stylesheet"

    def test_deleting_a_case_lists_its_items_and_deletes_it_with_its_index_text(self, client, editor):
        case = Case.objects.get(number=3)
        url = reverse("admin:cases_case_delete", args=[case.pk])
        page = admin_page(client, url)
        assert "无法删除案例" not in page.texts
        assert f"确定要删除案例“{case}”吗？下列相关内容都将一并删除：" in page.texts
        assert sum(text.startswith("条目：") for text in page.texts) == case.items.count()
        assert not [text for text in page.texts if "Champion" in text or "object" in text]
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not Case.objects.filter(pk=case.pk).exists() and not SearchText.objects.filter(case=case.pk).exists()
        assert 3 not in found("融资") | {hit.case.number for hit in search_cases(q=case.title, page_size=100).hits}


def test_a_topic_deleted_while_the_case_was_open_is_named_as_gone(admin_client):
    case = Case.objects.get(number=1)
    data = case_form_data(case)
    topic = Topic.objects.create(name="临时主题", slug="temporary")
    gone = topic.pk
    data["topics"] = [*data["topics"], gone]
    topic.delete()  # by another editor, after the form was opened
    response = admin_client.post(change_url(case), data)
    assert response.status_code == 200
    assert f"所选的主题中有一个（编号 {gone}）已被删除或不存在，请从列表中重新选择主题。" in response.content.decode()


def test_deleting_a_topic_lists_it_and_the_cases_it_stops_labelling(admin_client):
    topic = Topic.objects.get(slug="finance")
    count = topic.cases.count()
    page = admin_page(admin_client, reverse("admin:cases_topic_delete", args=[topic.pk]))
    assert f"{count} 个案例不再标注这个主题（案例本身保留）" in page.texts
    assert not [text for text in page.texts if "object" in text or "Case_topics" in text or "关系" in text]
    assert admin_client.post(reverse("admin:cases_topic_delete", args=[topic.pk]), {"post": "yes"}).status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists() and Case.objects.count() == 20


def po_messages(path) -> dict[str | tuple[str, int], str]:
    """The translations in a .po file, keyed as gettext's catalog keys them (a plural by its msgid and form 0, the
    only form Chinese has)."""
    messages, current, key = {}, {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
            key, _, rest = line.partition(" ")
            current[key] = json.loads(rest)
        elif line.startswith('"') and key:
            current[key] += json.loads(line)
        elif not line.strip() and current:
            if "msgid_plural" in current:
                messages[(current["msgid"], 0)] = current["msgstr[0]"]
            else:
                messages[current["msgid"]] = current["msgstr"]
            current, key = {}, None
    return messages


@pytest.mark.parametrize("domain, at_least", [("django", 40), ("djangojs", 8)])
def test_the_compiled_translations_are_those_of_their_source(domain, at_least):
    """The committed .mo is what Django reads: `make messages` was run after the .po last changed."""
    folder = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
    with (folder / f"{domain}.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    source = {msgid: text for msgid, text in po_messages(folder / f"{domain}.po").items() if msgid}
    assert len(source) > at_least
    assert {msgid: text for msgid, text in catalog.items() if msgid} == source


def test_the_admins_scripts_speak_chinese(admin_client):
    script = admin_client.get(reverse("admin:jsi18n")).content.decode()
    catalog = {json.loads(f'"{text}"') for text in re.findall(r'": "((?:[^"\\]|\\.)*)"', script)}
    assert {"选择全部%s", "删除选中的%s"} <= catalog  # the two-list picker of the user and group forms
    assert "列表中有尚未保存的修改。如果现在执行动作，这些修改将会丢失。" in catalog


MASKED = re.compile(r"[0-9A-Za-z+/=]*\*+")  # a secret as Django's password summary shows it
ENGLISH = re.compile(r"[^\u4e00-\u9fff]*[A-Za-z]{3}[^\u4e00-\u9fff]*")  # Latin words, no Chinese character


def staff_with(client, *codenames: str) -> User:
    user = User.objects.create_user("staff", password="unused", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


class TestWhoSeesWhat:
    def test_the_security_log_is_listed_in_chinese_for_a_superuser(self, admin_client):
        page = admin_page(admin_client, reverse("admin:index"))
        assert {"登录安全日志", "登录尝试", "登录失败", "登录记录"} <= set(page.texts)
        assert "修订历史" not in page.texts  # reversion has no admin pages of its own
        AccessAttempt.objects.create(
            username="someone",
            ip_address="192.0.2.1",
            user_agent="",
            http_accept="",
            path_info="/",
            failures_since_start=1,
        )
        attempts = admin_page(admin_client, reverse("admin:axes_accessattempt_changelist"))
        assert "选择要修改的登录尝试" in attempts.texts and {"用户名", "状态", "尝试时间"} <= set(attempts.texts)

    def test_a_superuser_grants_permissions_named_in_chinese_and_only_those_of_admin_pages(self, admin_client):
        page = admin_page(admin_client, reverse("admin:auth_group_add"))
        options = [text for text in page.texts if " | " in text]
        assert "案例 | 案例 | 可以修改案例" in options and "案例 | 案例 | 可以导入原文" in options
        assert "认证和授权 | 用户 | 可以添加用户" in options and "检索 | 同义词组 | 可以删除同义词组" in options
        assert len(options) > 30 and not [text for text in options if re.search("[A-Za-z]", text)]
        assert not [text for text in options if "高权重" in text or "修订历史" in text]  # internal tables
        assert not [text for text in options if "分词文本" in text or "登录" in text]  # pages for superusers only

    def test_saving_a_group_keeps_the_permissions_its_form_does_not_list(self, admin_client):
        editors = Group.objects.get(name="editors")
        held = set(editors.permissions.values_list("codename", flat=True))
        assert {"view_revision", "view_version"} <= held  # granted by a migration, not listed on the form
        url = reverse("admin:auth_group_change", args=[editors.pk])
        form = admin_client.get(url).context["adminform"].form
        dropped = Permission.objects.get(codename="delete_case").pk
        shown = set(form.fields["permissions"].queryset.values_list("pk", flat=True))  # what a browser can post
        listed = [pk for pk in form["permissions"].value() if pk in shown and pk != dropped]
        response = admin_client.post(url, {"name": "editors", "permissions": listed})
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert set(editors.permissions.values_list("codename", flat=True)) == held - {"delete_case"}

    def test_a_superuser_manages_users_in_chinese(self, admin_client):
        user = User.objects.get(username="admin")
        pages = {
            "add": reverse("admin:auth_user_add"),
            "change": reverse("admin:auth_user_change", args=[user.pk]),
            "password": reverse("admin:auth_user_password_change", args=[user.pk]),
        }
        english = {}
        for name, url in pages.items():
            texts = admin_page(admin_client, url).texts
            data = {user.username, f"› {user.username}", "editors"}  # a username and a group name
            # … and the password's salt and hash, shown masked (c89cae****): random letters, not English.
            words = [
                text for text in texts if text not in data and not MASKED.fullmatch(text) and ENGLISH.fullmatch(text)
            ]
            if words:
                english[name] = words
        assert not english, english
        assert "如果禁用，这个用户现在的密码将失效。" in admin_page(admin_client, pages["password"]).texts

    def test_editors_see_no_security_log_and_no_index_text(self, client, editor):
        page = admin_page(client, reverse("admin:index"))
        assert "案例" in page.texts and "同义词组" in page.texts  # editors curate the synonyms
        assert not {"登录安全日志", "登录尝试", "分词文本"} & set(page.texts)
        assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
        assert client.get(reverse("admin:search_searchtext_changelist")).status_code == 403

    def test_even_granted_permissions_do_not_open_them_to_staff(self, client):
        staff_with(client, "view_accessattempt", "delete_accessattempt", "view_accesslog", "view_searchtext")
        page = admin_page(client, reverse("admin:index"))
        assert not {"登录安全日志", "登录尝试", "登录记录", "分词文本"} & set(page.texts)
        for name in ["axes_accessattempt_changelist", "axes_accesslog_changelist", "search_searchtext_changelist"]:
            assert client.get(reverse(f"admin:{name}")).status_code == 403, name

    def test_a_superuser_reads_the_index_text_but_cannot_change_it(self, admin_client):
        text = SearchText.objects.select_related("case").first()
        assert "分词文本" in admin_page(admin_client, reverse("admin:index")).texts
        page = admin_page(admin_client, reverse("admin:search_searchtext_change", args=[text.pk]))
        assert "查看分词文本" in page.texts and not page.find("input", type="submit")
        url = reverse("admin:search_searchtext_delete", args=[text.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
