"""Two editors at once: a save, restore or import made from an older version of a case is refused, not lost."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from cases.admin_import import SESSION_KEY
from cases.models import Case, CaseItem, Collection, Topic
from cases.tests.test_admin import (
    IMPORT,
    case_form_data,
    change_url,
    form_index,
    found,
    preview,
    save,
    section_items,
    snapshot,
    source,
)
from cases.tests.test_bulk import TOPICS, rename
from search.models import Synonym

pytestmark = pytest.mark.django_db

CONFLICT = "此案例在您打开后已被他人修改"


@pytest.fixture
def editor_b() -> Client:
    user = User.objects.create_user("editor-b", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client = Client()
    client.force_login(user)
    return client


def opened(client: Client, case: Case) -> dict:
    """The change form as ``client`` opened it now, to be posted back later."""
    response = client.get(change_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="version" value="{case.version}"' in html
    return {**case_form_data(case), "version": case.version}


def listed(client: Client, url: str) -> dict:
    """The admin list's editable rows as ``client`` opened them, each row's digest as the page holds it."""
    response = client.get(url)
    formset = response.context["cl"].formset
    management = formset.management_form
    data = {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in formset:
        data.update({form.add_prefix(name): form[name].value() for name in form.fields if name != "opened"})
    digests = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(form-\d+-opened)" value="([^"]+)"', response.content.decode())
    }
    assert len(digests) == len(formset.forms)
    return {**data, **digests, "_save": "保存"}


def row_key(rows: dict, instance, name: str) -> str:
    """The posted name of ``instance``'s field ``name`` on the list."""
    ids = {value: key for key, value in rows.items() if key.endswith("-id")}
    prefix = ids[instance.pk].removesuffix("-id")
    return f"{prefix}-{name}"


def form_values(form) -> dict:
    return {name: value for name in form.fields if (value := form[name].value()) is not None}


def resubmit(response) -> dict:
    """The refused form as it was shown again, as the browser posts it back."""
    return dict(response.context["adminform"].form.data.lists())


class TestTwoEditors:
    def test_the_later_save_is_refused_then_saved_on_top_of_the_earlier(self, admin_client, editor_b):
        case = Case.objects.get(number=13)
        old_title, old_summary = case.title, case.summary
        form_b = opened(editor_b, case)  # B opens the form first …
        form_a = opened(admin_client, case)
        form_a["title"] = "创新铁路提单交易模式"
        save(admin_client, case, form_a)  # … A saves first
        assert Case.objects.get(pk=case.pk).version == case.version + 1

        form_b["summary"] = "导语由第二位编辑改写。"
        response = editor_b.post(change_url(case), form_b)
        html = response.content.decode()
        assert response.status_code == 200
        assert CONFLICT in html and "您的修改尚未保存" in html and "admin" in html
        # What A changed meanwhile, as a diff of the titles:
        assert '<div class="module case-diff case-conflict" id="conflict"' in html
        assert "创新铁路提单交易模式<del>和规则</del>" in html and old_title.endswith("和规则")
        stored = Case.objects.get(pk=case.pk)
        assert (stored.title, stored.summary) == ("创新铁路提单交易模式", old_summary)  # nothing of B's written
        assert Version.objects.get_for_object(case).count() == 2  # the text before A's edit, A's edit

        # Shown again: A's title, B's summary, and the current version, so a second submit saves.
        form = response.context["adminform"].form
        assert form["title"].value() == "创新铁路提单交易模式"
        assert form["summary"].value() == "导语由第二位编辑改写。"
        assert f'name="version" value="{stored.version}"' in html
        save(editor_b, case, resubmit(response))
        stored = Case.objects.get(pk=case.pk)
        assert (stored.title, stored.summary) == ("创新铁路提单交易模式", "导语由第二位编辑改写。")
        assert stored.version == case.version + 2
        assert found('"第二位编辑"') == {13}

    def test_items_edited_by_both_editors_keep_both_edits(self, admin_client, editor_b):
        case = Case.objects.get(number=1)
        first, second, third, _ = section_items(case)
        form_b = opened(editor_b, case)
        form_a = opened(admin_client, case)
        form_a[f"items-{form_index(form_a, first)}-body"] = "甲编辑改写的第一条。"
        form_a[f"items-{form_index(form_a, third)}-DELETE"] = "on"
        save(admin_client, case, form_a)

        form_b[f"items-{form_index(form_b, second)}-body"] = "乙编辑改写的第二条。"
        form_b[f"items-{form_index(form_b, third)}-body"] = "乙编辑也改了第三条。"
        response = editor_b.post(change_url(case), form_b)
        html = response.content.decode()
        assert CONFLICT in html
        assert '<td class="kind">修改</td>' in html and '<td class="kind">删除</td>' in html  # A's edits, as a diff
        assert CaseItem.objects.get(pk=second.pk).body == second.body  # nothing of B's written

        save(editor_b, case, resubmit(response))
        bodies = [item.body for item in section_items(case)]
        assert bodies[:2] == ["甲编辑改写的第一条。", "乙编辑改写的第二条。"]
        # A deleted the third item that B had changed: B's text comes back as a new item in its place.
        assert not CaseItem.objects.filter(pk=third.pk).exists()
        assert bodies[2] == "乙编辑也改了第三条。" and len(bodies) == 4

    def test_an_item_unnumbered_by_one_editor_stays_unnumbered_after_the_others_save(self, admin_client, editor_b):
        case = Case.objects.get(number=1)
        first = section_items(case)[0]
        assert first.numbered
        form_b = opened(editor_b, case)
        form_a = opened(admin_client, case)
        del form_a[f"items-{form_index(form_a, first)}-numbered"]  # A unticks 编号条目
        save(admin_client, case, form_a)
        assert not CaseItem.objects.get(pk=first.pk).numbered

        form_b["title"] = "乙改的标题"
        response = editor_b.post(change_url(case), form_b)
        assert CONFLICT in response.content.decode() and "（改为不编号）" in response.content.decode()
        save(editor_b, case, resubmit(response))
        stored = Case.objects.get(pk=case.pk)
        assert stored.title == "乙改的标题" and not CaseItem.objects.get(pk=first.pk).numbered

    def test_a_save_without_changes_by_the_other_editor_goes_through(self, admin_client, editor_b):
        case = Case.objects.get(number=2)
        form_b = opened(editor_b, case)
        form_b["summary"] = "只有一位编辑。"
        save(editor_b, case, form_b)
        assert Case.objects.get(pk=case.pk).summary == "只有一位编辑。"

    def test_publishing_counts_as_a_change(self, admin_client, editor_b):
        case = Case.objects.get(number=3)
        form_b = opened(editor_b, case)
        admin_client.post(
            reverse("admin:cases_case_changelist"),
            {"action": "unpublish", "_selected_action": [case.pk], "index": 0},
        )
        form_b["title"] = "乙改的标题"
        response = editor_b.post(change_url(case), form_b)
        assert (
            CONFLICT in response.content.decode() and "<del>已发布</del> → <ins>草稿</ins>" in response.content.decode()
        )
        assert response.context["adminform"].form["status"].value() == Case.Status.DRAFT  # not put back by B
        save(editor_b, case, resubmit(response))
        stored = Case.objects.get(pk=case.pk)
        assert (stored.title, stored.status) == ("乙改的标题", Case.Status.DRAFT)


class TestLabels:
    def test_a_topic_saved_from_a_form_opened_before_anothers_rename_is_refused_and_the_rename_stays(
        self, admin_client, editor_b
    ):
        topic = Topic.objects.get(slug="finance")
        url = reverse("admin:cases_topic_change", args=[topic.pk])
        form_a = admin_client.get(url).context["adminform"].form
        data_a = {**{name: form_a[name].value() for name in form_a.fields}, "description": "甲写的说明"}
        renamed = {**{name: form_a[name].value() for name in form_a.fields}, "name": "金融与保险"}
        assert editor_b.post(url, renamed).status_code == 302  # B renames it first, from a form opened after A's
        response = admin_client.post(url, data_a)
        assert response.status_code == 200 and "这个主题已被他人修改，您的修改没有保存" in response.content.decode()
        stored = Topic.objects.get(pk=topic.pk)
        assert (stored.name, stored.description) == ("金融与保险", topic.description)

    def test_a_position_saved_from_a_list_opened_before_anothers_rename_is_refused_and_nothing_is_saved(
        self, admin_client, editor_b
    ):
        finance, logistics = Topic.objects.get(slug="finance"), Topic.objects.get(slug="logistics")
        rows = listed(admin_client, TOPICS)
        rows[row_key(rows, finance, "position")] = "98"
        rows[row_key(rows, logistics, "position")] = "99"
        rename(editor_b, finance, "金融与保险")
        response = admin_client.post(TOPICS, rows, follow=True)
        assert response.redirect_chain == [(TOPICS, 302)]  # the list as it is now
        message = next(str(m) for m in response.context["messages"])
        assert message.startswith(
            f"您打开本页后，主题“{finance.name}”已被他人修改或删除，为免覆盖，这次没有保存任何修改"
        )
        assert f"“{finance.name}”排序改为 98" in message and f"“{logistics.name}”排序改为 99" in message
        assert Topic.objects.get(pk=finance.pk).name == "金融与保险"
        assert Topic.objects.get(pk=finance.pk).position == finance.position
        assert Topic.objects.get(pk=logistics.pk).position == logistics.position  # the list is saved whole or not

    def test_rows_someone_else_saved_but_left_alone_on_the_list_keep_their_values_and_history(
        self, admin_client, editor_b
    ):
        finance, logistics = Topic.objects.get(slug="finance"), Topic.objects.get(slug="logistics")
        rows = listed(admin_client, TOPICS)
        rows[row_key(rows, logistics, "position")] = "99"
        rename(editor_b, finance, "金融与保险")
        Topic.objects.filter(pk=finance.pk).update(position=0)  # and moved first, by someone else meanwhile
        response = admin_client.post(TOPICS, rows, follow=True)
        assert [str(m) for m in response.context["messages"]] == ["已修改 1 个主题。"]
        assert Topic.objects.get(pk=logistics.pk).position == 99
        assert (Topic.objects.get(pk=finance.pk).name, Topic.objects.get(pk=finance.pk).position) == ("金融与保险", 0)
        logged = LogEntry.objects.filter(object_id=str(logistics.pk)).latest("pk")
        assert logged.get_change_message() == "已修改排序。"
        assert not LogEntry.objects.filter(object_id=str(finance.pk), user__username="admin").exists()

    def test_a_list_holding_a_row_deleted_meanwhile_saves_nothing_and_says_so(self, admin_client, editor_b):
        groups = list(Synonym.objects.filter(active=True)[:2])
        url = reverse("admin:search_synonym_changelist")
        rows = listed(admin_client, url)
        del rows[row_key(rows, groups[1], "active")]  # switched off: a box not ticked is not posted
        label = str(groups[0])
        groups[0].delete()  # by someone else
        response = admin_client.post(url, rows, follow=True)
        assert response.status_code == 200 and response.redirect_chain == [(url, 302)]
        message = next(str(m) for m in response.context["messages"])
        assert f"同义词组“{label}”已被他人修改或删除" in message and "启用改为 否" in message
        assert Synonym.objects.get(pk=groups[1].pk).active

    def test_a_synonym_group_switched_off_from_a_stale_list_is_refused(self, admin_client, editor_b):
        group = Synonym.objects.filter(active=True).first()  # one of the groups seeded from the cases
        url = reverse("admin:search_synonym_changelist")
        rows = listed(admin_client, url)
        del rows[row_key(rows, group, "active")]  # unticked: a box not ticked is not posted
        changed = reverse("admin:search_synonym_change", args=[group.pk])
        form = editor_b.get(changed).context["adminform"].form
        assert editor_b.post(changed, {**form_values(form), "note": "乙加的备注"}).status_code == 302
        response = admin_client.post(url, rows, follow=True)
        assert "同义词组" in response.content.decode() and "已被他人修改或删除" in response.content.decode()
        assert Synonym.objects.get(pk=group.pk).active

    @pytest.mark.parametrize("opened", [None, "", "[" * 100_000, "[" * 5_000, '{"values": 1}', '"not a row"'])
    def test_a_list_posted_without_what_its_rows_listed_saves_nothing_and_says_why(self, admin_client, opened):
        logistics = Topic.objects.get(slug="logistics")
        rows = listed(admin_client, TOPICS)
        key = row_key(rows, logistics, "position")
        rows[key] = "99"
        opened_key = key.replace("-position", "-opened")
        if opened is None:
            del rows[opened_key]  # a page opened before the rows carried it
        else:
            rows[opened_key] = opened  # or made up
        response = admin_client.post(TOPICS, rows, follow=True)
        message = next(str(m) for m in response.context["messages"])
        assert message.startswith("这份列表没有带上打开时各行的内容") and f"“{logistics.name}”排序改为 99" in message
        assert Topic.objects.get(pk=logistics.pk).position == logistics.position

    def test_a_list_save_by_someone_who_may_not_change_is_refused_before_anything_is_said(self, client):
        user = User.objects.create_user("viewer", password="unused", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_synonym"))
        client.force_login(user)
        group = Synonym.objects.first()
        forged = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": group.pk, "_save": "保存"}
        forged["form-0-opened"] = '{"values": {"active": true}, "label": "x"}'  # switched off, as if stale
        response = client.post(reverse("admin:search_synonym_changelist"), forged)
        assert response.status_code == 403
        assert not list(client.get(reverse("admin:index")).context["messages"])


class TestWithoutTheOpenedVersion:
    """A form or script that leaves out the version cannot tell whether someone saved since: refused, not saved."""

    def test_a_change_form_without_it_is_refused_and_the_other_save_stays(self, admin_client, editor_b):
        case = Case.objects.get(number=13)
        form = opened(admin_client, case)
        form_b = opened(editor_b, case)
        form_b["title"] = "乙改的标题"
        save(editor_b, case, form_b)
        del form["version"]
        form["title"] = "甲改的标题"
        response = admin_client.post(change_url(case), form)
        assert response.status_code == 200 and "没有带上打开时的版本" in response.content.decode()
        assert Case.objects.get(pk=case.pk).title == "乙改的标题"

    def test_a_restore_without_it_is_refused(self, admin_client):
        case = Case.objects.get(number=13)
        form = opened(admin_client, case)
        form["title"] = "修改后的标题"
        save(admin_client, case, form)
        first = Version.objects.get_for_object(case).order_by("pk").first()
        version_url = reverse("admin:cases_case_revision", args=[case.pk, first.pk])
        response = admin_client.post(version_url, follow=True)
        assert "没有带上本页打开时的版本，未恢复" in response.content.decode()
        assert Case.objects.get(pk=case.pk).title == "修改后的标题"


class TestRestore:
    def test_a_restore_from_a_stale_history_page_is_refused(self, admin_client, editor_b):
        case = Case.objects.get(number=13)
        old_title = case.title
        form = opened(admin_client, case)
        form["title"] = "第一次修改的标题"
        save(admin_client, case, form)
        first = Version.objects.get_for_object(case).order_by("pk").first()
        version_url = reverse("admin:cases_case_revision", args=[case.pk, first.pk])
        page = editor_b.get(version_url).content.decode()
        stale = Case.objects.get(pk=case.pk).version
        assert f'name="version" value="{stale}"' in page

        form = opened(admin_client, Case.objects.get(pk=case.pk))
        form["title"] = "第二次修改的标题"
        save(admin_client, case, form)
        response = editor_b.post(version_url, {"version": stale}, follow=True)
        html = response.content.decode()
        assert "此案例在您打开本页后已被他人修改，未恢复" in html
        assert response.redirect_chain[-1][0] == version_url
        assert "<del>第二次修改的</del>" in html or "第二次修改的标题" in html  # compared with the current text
        assert Case.objects.get(pk=case.pk).title == "第二次修改的标题"

        response = editor_b.post(version_url, {"version": Case.objects.get(pk=case.pk).version}, follow=True)
        assert "已恢复到" in response.content.decode()
        assert Case.objects.get(pk=case.pk).title == old_title

    def test_a_conflict_whose_opened_version_has_no_history_says_the_form_overwrites_everything(self, admin_client):
        case = Case.objects.get(number=13)
        save(admin_client, case, opened(admin_client, case))  # a history …
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)  # … but none of the version opened
        case.refresh_from_db()
        form = opened(admin_client, case)
        Case.objects.filter(pk=case.pk).update(version=case.version + 1, summary="脚本改的导语")
        form["title"] = "改后的标题"
        html = admin_client.post(change_url(case), form).content.decode()
        assert "无法分辨哪些地方是您改的" in html and "再次保存会用它覆盖最新内容，包括别人在这期间的修改" in html
        assert "其余都换成了最新内容" not in html


class TestImport:
    def test_a_conflict_after_the_import_command_merges_as_after_an_admin_save(self, admin_client, editor_b, tmp_path):
        """The command records a revision of what it writes: the version the editors open has its text known."""
        case = Case.objects.get(number=1)
        save(admin_client, case, opened(admin_client, case))  # the case has a history before the import
        document = tmp_path / "2020.txt"
        document.write_text(source().replace("允许和鼓励事业单位", "允许并鼓励事业单位"), encoding="utf-8")
        call_command("import_cases", str(document), "--collection", "service-trade-2020", verbosity=0)
        case.refresh_from_db()
        form_b = opened(editor_b, case)  # both open the imported text
        form_a = opened(admin_client, case)
        form_a["summary"] = case.summary + "甲补充的一句。"
        save(admin_client, case, form_a)

        form_b["title"] = "乙改的标题"
        response = editor_b.post(change_url(case), form_b)
        assert response.status_code == 200 and CONFLICT in response.content.decode()
        assert "无法列出这期间的具体改动" not in response.content.decode()
        save(editor_b, case, resubmit(response))
        stored = Case.objects.get(pk=case.pk)
        assert stored.title == "乙改的标题" and stored.summary.endswith("甲补充的一句。")  # both edits stay

    def test_a_confirmation_after_a_concurrent_edit_writes_nothing_and_previews_again(self, admin_client, editor_b):
        collection = Collection.objects.get(slug="service-trade-2020")
        changed = source().replace("允许和鼓励事业单位", "允许并鼓励事业单位")
        preview(admin_client, changed.encode(), collection=collection.pk)
        token = admin_client.session[SESSION_KEY]["token"]

        railway = Case.objects.get(number=13)  # "unchanged" in the preview
        form = opened(editor_b, railway)
        form["title"] = "编辑在预览后改的标题"
        save(editor_b, railway, form)
        before = snapshot()

        response = admin_client.post(IMPORT, {"_confirm": "1", "token": token})
        html = response.content.decode()
        assert response.status_code == 200
        assert "未导入：预览之后，第 13 号案例已被他人修改" in html and "尚未写入" in html
        assert "有改动的案例（1）" in html  # the fresh preview: case 1; case 13's new title is the editor's, kept
        assert "编辑已修改，保留" in html and "编辑在预览后改的标题" in html
        assert snapshot() == before

        response = admin_client.post(
            IMPORT, {"_confirm": "1", "token": admin_client.session[SESSION_KEY]["token"]}, follow=True
        )
        assert "更新 1 个，未变 19 个" in response.content.decode()
        assert found('"允许并鼓励"') == {1}
        assert Case.objects.get(pk=railway.pk).title == "编辑在预览后改的标题"

    def test_an_import_counts_a_new_version_of_the_cases_it_changes_only(self, admin_client):
        collection = Collection.objects.get(slug="service-trade-2020")
        versions = dict(Case.objects.values_list("number", "version"))
        preview(
            admin_client,
            source().replace("允许和鼓励事业单位", "允许并鼓励事业单位").encode(),
            collection=collection.pk,
        )
        admin_client.post(IMPORT, {"_confirm": "1", "token": admin_client.session[SESSION_KEY]["token"]})
        after = dict(Case.objects.values_list("number", "version"))
        assert {n for n in after if after[n] != versions[n]} == {1}
        assert after[1] == versions[1] + 1


def test_a_post_to_no_case_with_a_version_is_no_error(admin_client):
    response = admin_client.post("/admin/cases/case/abc/change/", {"version": "1", "title": "x"})
    assert response.status_code == 302  # the admin's own "does not exist" redirect
