"""Re-importing the source keeps editors' corrections; limits are refused at the preview; a confirmation counts once."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from cases import admin_import
from cases.admin_import import SESSION_KEY
from cases.importer import (
    MAX_CASE_CHARS,
    MAX_HEADING_CHARS,
    MAX_ITEMS_PER_SECTION,
    MAX_PROVIDER_CHARS,
    MAX_TITLE_CHARS,
    parse_document,
)
from cases.models import Case, CaseItem, Collection, ImportedText
from cases.numbering import chinese_numeral
from cases.services import ImportAlreadyDone, _aligned_items, case_import, text_digest
from conftest import SOURCE_2020
from regions.models import Region

from .test_admin import IMPORT, case_form_data, preview, save, snapshot, source

pytestmark = pytest.mark.django_db

SOURCE_LINE = "首张铁海联运提单成功开具，截止 2019 年 10 月底，已签发"  # case 11, outcome (二), as printed
STORED = "首张铁海联运提单成功开具，截止2019年10月底"
CORRECTED = "首张铁海联运提单成功开具，截至2019年10月底"


def railway_outcome() -> CaseItem:
    return CaseItem.objects.get(case__number=11, section=CaseItem.Section.OUTCOME, position=2)


def correct_in_admin(client) -> None:
    """An editor corrects 截止 (a deadline) to 截至 (up to) in case 11, through the change form."""
    case = Case.objects.get(number=11)
    data = case_form_data(case)
    index = next(i for i in range(data["items-TOTAL_FORMS"]) if "截止2019年10月底" in data[f"items-{i}-body"])
    assert STORED in data[f"items-{index}-body"]
    data[f"items-{index}-body"] = data[f"items-{index}-body"].replace("截止", "截至").replace("\n", "\r\n")
    save(client, case, data)
    assert CORRECTED in railway_outcome().body


def import_command(tmp_path, text: str, *options: str) -> str:
    path = tmp_path / "source.txt"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_cases", str(path), "--collection", "service-trade-2020", *options, stdout=out)
    return out.getvalue()


def source_with_new_count() -> str:
    """The source where case 11's outcome (二) also changed: another number of batches."""
    assert source().count("提单 10 批次") == 1
    return source().replace("提单 10 批次", "提单 12 批次")


def confirm(client, **fields):
    token = client.session[SESSION_KEY]["token"]
    return client.post(IMPORT, {"_confirm": "1", "token": token, **fields}, follow=True)


class TestEditorsCorrections:
    def test_reimporting_the_unchanged_source_keeps_the_correction(self, admin_client, tmp_path):
        assert source().count(SOURCE_LINE) == 1
        correct_in_admin(admin_client)
        output = import_command(tmp_path, source())
        assert "未变 20 个" in output
        assert "11 号 实践效果第 2 条·正文：当前“" in output and "编辑已修改，保留" in output
        assert "截至2019年10月底" in output and "截止2019年10月底" in output  # both texts, where they differ
        assert CORRECTED in railway_outcome().body

    def test_the_admin_preview_shows_the_kept_correction_and_the_import_keeps_it(self, admin_client):
        correct_in_admin(admin_client)
        collection = Collection.objects.get(slug="service-trade-2020")
        html = preview(admin_client, source().encode(), collection=collection.pk).content.decode()
        assert "与原文不同之处" in html and "编辑已修改，保留" in html
        assert "截<del>至</del><ins>止</ins>2019年10月底" in html  # what taking the source would change
        assert "冲突" not in html
        confirm(admin_client)
        assert CORRECTED in railway_outcome().body

    def test_a_change_in_the_source_alone_is_shown_with_its_diff_and_taken(self, admin_client):
        collection = Collection.objects.get(slug="service-trade-2020")
        html = preview(admin_client, source_with_new_count().encode(), collection=collection.pk).content.decode()
        assert "按原文更新" in html and "提单1<del>0</del><ins>2</ins>批次" in html
        assert "有改动的案例（1）" in html
        confirm(admin_client)
        assert "提单12批次" in railway_outcome().body

    def test_a_change_in_both_is_a_conflict_that_keeps_the_editors_text(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        output = import_command(tmp_path, source_with_new_count())
        assert "冲突：11 号 实践效果第 2 条·正文" in output and "冲突，保留编辑的版本" in output
        assert "截至2019年10月底" in output and "截止2019年10月底" in output
        assert "冲突 1 处，采用原文 0 处" in output
        body = railway_outcome().body
        assert CORRECTED in body and "提单10批次" in body

    def test_the_operator_can_take_the_sources_text_for_a_case(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        output = import_command(tmp_path, source_with_new_count(), "--take-source", "11")
        assert "冲突，采用原文" in output and "采用原文 1 处" in output
        body = railway_outcome().body
        assert STORED in body and "提单12批次" in body

    def test_take_source_without_a_number_takes_every_conflict(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        output = import_command(tmp_path, source_with_new_count(), "--take-source")
        assert "冲突，采用原文" in output
        assert STORED in railway_outcome().body

    def test_take_source_for_another_case_leaves_the_conflict_kept(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        import_command(tmp_path, source_with_new_count(), "--take-source", "12")
        assert CORRECTED in railway_outcome().body

    def test_the_admin_shows_the_conflict_side_by_side_and_takes_the_source_when_ticked(self, admin_client):
        correct_in_admin(admin_client)
        collection = Collection.objects.get(slug="service-trade-2020")
        html = preview(admin_client, source_with_new_count().encode(), collection=collection.pk).content.decode()
        assert "冲突（1）" in html and "当前（编辑的版本）" in html
        assert "截<del>至</del>" in html and "截<ins>止</ins>" in html  # each side marks its own text
        assert 'name="take_source" value="11:2.2.body"' in html and "采用原文" in html
        response = confirm(admin_client, take_source="11:2.2.body")
        assert "冲突 1 处，其中 1 处采用原文" in response.content.decode()
        body = railway_outcome().body
        assert STORED in body and "提单12批次" in body

    def test_past_the_conflicts_shown_one_box_takes_the_source_for_every_conflict(self, admin_client, monkeypatch):
        monkeypatch.setattr(admin_import, "MAX_CONFLICTS_SHOWN", 2)
        text = source()
        for case in Case.objects.filter(number__in=[2, 3, 5]):
            Case.objects.filter(pk=case.pk).update(title=case.title + "（编辑稿）")  # as an editor's save leaves it
            text = text.replace(case.title, case.title + "（新版）")
        collection = Collection.objects.get(slug="service-trade-2020")
        html = preview(admin_client, text.encode(), collection=collection.pk).content.decode()
        assert "冲突（3）" in html and html.count('name="take_source" value="') == 3  # two shown, and take-all
        assert "另有 1 处未逐条列出" in html and 'value="*"' in html
        response = confirm(admin_client, take_source="*")
        assert "冲突 3 处，其中 3 处采用原文" in response.content.decode()
        titles = Case.objects.filter(number__in=[2, 3, 5]).values_list("title", flat=True)
        assert all(title.endswith("（新版）") for title in titles)

    def test_the_admin_keeps_the_editors_text_of_an_unticked_conflict(self, admin_client):
        correct_in_admin(admin_client)
        collection = Collection.objects.get(slug="service-trade-2020")
        preview(admin_client, source_with_new_count().encode(), collection=collection.pk)
        response = confirm(admin_client)
        assert "冲突 1 处，其中 0 处采用原文，1 处保留编辑的版本" in response.content.decode()
        assert CORRECTED in railway_outcome().body

    def test_a_case_imported_before_the_records_keeps_every_difference_as_the_editors(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        ImportedText.objects.filter(case__number=11).delete()
        output = import_command(tmp_path, source_with_new_count())
        assert "11 号 实践效果第 2 条·正文" in output and "编辑已修改，保留" in output and "冲突" not in output
        assert CORRECTED in railway_outcome().body
        # Now recorded: the same source again is the editor's text kept, a later source change a conflict.
        assert ImportedText.objects.filter(case__number=11).exists()
        output = import_command(tmp_path, source_with_new_count().replace("提单 12 批次", "提单 15 批次"))
        assert "冲突：11 号" in output

    def test_an_item_an_editor_added_survives_and_one_the_source_added_arrives(self, admin_client, tmp_path):
        case = Case.objects.get(number=11)
        data = case_form_data(case)
        n = data["items-TOTAL_FORMS"]
        data.update(
            {
                "items-TOTAL_FORMS": n + 1,
                f"items-{n}-case": case.pk,
                f"items-{n}-section": CaseItem.Section.NEXT_STEP,
                f"items-{n}-position": 4,
                f"items-{n}-heading": "",
                f"items-{n}-body": "编辑补充的一段。",
            }
        )
        save(admin_client, case, data)
        output = import_command(tmp_path, source())
        assert "下一步工作思路第 4 条·正文" in output and "编辑已修改，保留" in output
        assert case.items.filter(body="编辑补充的一段。").exists()

        text = source()
        end = text.index("三、下一步工作思路", text.index("（三）开展物流金融创新试点"))
        added = text[:end] + "（四）新增的一条效果。 \n\n" + text[end:]
        assert added != source()
        output = import_command(tmp_path, added)
        assert "实践效果第 4 条·正文" in output and "按原文更新" in output  # one sentence alone: body text
        assert case.items.filter(section=CaseItem.Section.OUTCOME, position=4, body="新增的一条效果。").exists()
        assert case.items.filter(body="编辑补充的一段。").exists()

    def test_items_moved_by_an_editors_insertion_and_deletion_are_matched_by_their_imported_text(
        self, admin_client, tmp_path
    ):
        case = Case.objects.get(number=12)
        data = case_form_data(case)
        measures = [i for i in range(data["items-TOTAL_FORMS"]) if data[f"items-{i}-section"] == 1]
        data[f"items-{measures[1]}-DELETE"] = "on"  # （二）采用宽轨段“三列并两列”运输
        for index in measures:
            data[f"items-{index}-position"] += 1  # room for a new first measure
        n = data["items-TOTAL_FORMS"]
        data.update(
            {
                "items-TOTAL_FORMS": n + 1,
                f"items-{n}-case": case.pk,
                f"items-{n}-section": 1,
                f"items-{n}-position": 1,
                f"items-{n}-heading": "编辑新增的第一条。",
                f"items-{n}-body": "编辑写的正文。",
                f"items-{n}-numbered": "on",
            }
        )
        save(admin_client, case, data)
        before = {item.pk: (item.heading, item.body, item.numbered) for item in case.items.all()}
        changed = source().replace("国内始发的三列中欧班列合并为", "国内始发的三列班列合并为")
        assert changed != source()

        output = import_command(tmp_path, changed, "--dry-run")
        lines = output.splitlines()
        # The measure the editor deleted, whose text the source changed: a conflict, the deletion kept.
        assert [line for line in lines if "主要做法第 2 条·正文" in line and "冲突，保留编辑的版本" in line]
        # The measures that moved are those imported, unchanged: nothing else is the editor's.
        assert not [line for line in lines if "编辑已修改，保留" in line and "主要做法第 2 条" not in line]
        assert {item.pk: (item.heading, item.body, item.numbered) for item in case.items.all()} == before

        import_command(tmp_path, changed, "--take-source", "12")
        after = {item.pk: (item.heading, item.body) for item in case.items.all()}
        assert {pk: after[pk] for pk in before} == {pk: before[pk][:2] for pk in before}  # none written over
        assert any("三列班列合并为" in body for _, body in after.values())  # the source's item, back

    @pytest.mark.parametrize(
        ("imported", "now", "paired"),
        [
            ("ABC", ["A", "B2", "C"], {1: "A", 2: "B2", 3: "C"}),  # changed in place: still B's
            ("ABC", ["A", "NEW", "B2", "C"], {1: "A", 3: "C"}),  # inserted beside an edit: B's place to neither
            ("ABCDEF", ["B2", "E", "A", "D", "F2", "C"], {1: "A", 3: "C", 4: "D", 5: "E"}),  # reordered
            ("甲乙丙丁", ["丙", "新", "乙"], {2: "乙", 3: "丙"}),  # deleted, swapped and inserted
            ("ABC", ["C", "B", "A"], {1: "A", 2: "B", 3: "C"}),
            ("ABC", ["A", "B", "C", "D"], {1: "A", 2: "B", 3: "C", 4: "D"}),  # an addition past the imported
        ],
    )
    def test_items_are_paired_with_the_places_last_imported_only_where_it_is_certain(self, imported, now, paired):
        records = {}
        for position, text in enumerate(imported, start=1):
            records[(1, position, "heading")] = text_digest("")
            records[(1, position, "body")] = text_digest(text)
        items = [
            CaseItem(pk=index, section=1, position=index, heading="", body=body) for index, body in enumerate(now, 1)
        ]
        aligned = _aligned_items(items, records)
        assert {place[1]: item.body for place, item in aligned.items()} == paired
        assert len({id(item) for item in aligned.values()}) == len(aligned)  # no item at two places

    def test_an_editors_numbering_of_an_item_survives_a_change_in_its_text(self, admin_client, tmp_path):
        case = Case.objects.get(number=11)
        item = railway_outcome()
        data = case_form_data(case)
        index = next(i for i in range(data["items-TOTAL_FORMS"]) if data[f"items-{i}-id"] == item.pk)
        data.pop(f"items-{index}-numbered", None)  # unticked by the editor
        save(admin_client, case, data)
        assert "按原文更新" in import_command(tmp_path, source_with_new_count())
        item.refresh_from_db()
        assert "12批次" in item.body and not item.numbered

    def test_a_region_an_editor_added_stays_when_the_source_changes_the_provider_line(self, admin_client, tmp_path):
        case = Case.objects.get(number=8)  # （上海市、天津市提供）
        data = case_form_data(case)
        data["regions"] = [*data["regions"], Region.objects.get(slug="wuhan").pk]
        save(admin_client, case, data)
        assert source().count("（上海市、天津市提供）") == 1
        # The source drops 天津市 and adds 成都市; the editor's 武汉市 is neither's to drop.
        output = import_command(tmp_path, source().replace("（上海市、天津市提供）", "（上海市、成都市提供）"))
        assert "按原文更新" in output
        case.refresh_from_db()
        assert case.provider == "上海市、成都市提供"
        assert sorted(case.regions.values_list("slug", flat=True)) == ["chengdu", "shanghai", "wuhan"]

    def test_when_the_replaced_line_names_a_region_since_renamed_the_sources_regions_are_taken(self, tmp_path):
        case = Case.objects.get(number=8)  # （上海市、天津市提供）, tianjin and shanghai
        Region.objects.filter(slug="tianjin").update(name="天津直辖市")  # the old line's 天津市 names nothing now
        import_command(tmp_path, source().replace("（上海市、天津市提供）", "（上海市、成都市提供）"))
        assert sorted(case.regions.values_list("slug", flat=True)) == ["chengdu", "shanghai"]

    def test_an_unchanged_item_the_source_dropped_is_removed(self, tmp_path):
        text = source()
        start = text.index("（三）开展物流金融创新试点")
        end = text.index("三、下一步工作思路", start)
        output = import_command(tmp_path, text[:start] + text[end:])
        assert "实践效果第 3 条·正文" in output
        assert not CaseItem.objects.filter(case__number=11, section=CaseItem.Section.OUTCOME, position=3).exists()

    def test_an_import_records_the_source_even_where_the_editor_is_kept(self, admin_client, tmp_path):
        correct_in_admin(admin_client)
        import_command(tmp_path, source())
        before = snapshot()
        assert "编辑已修改，保留" in import_command(tmp_path, source())
        assert snapshot() == before  # keeping writes nothing


def case_with(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def too_many_items() -> str:
    """Case 1 with measures (五) to (二百零一) added after its four."""
    extra = "".join(f"（{chinese_numeral(n)}）第 {n} 条做法。 \n" for n in range(5, MAX_ITEMS_PER_SECTION + 2))
    return case_with(source(), "二、实践效果", extra + "二、实践效果")


LIMITS = {
    "title": (
        lambda: case_with(source(), "1．优化", "1．" + "长" * MAX_TITLE_CHARS + "优化"),
        f"案例 1 的标题有 {MAX_TITLE_CHARS + 17} 字，最多 {MAX_TITLE_CHARS} 字",
        "1．长长",
    ),
    "provider": (
        lambda: case_with(source(), "（海南省提供）", "（海南省、" + "、".join(["海口市"] * 60) + "提供）"),
        f"最多 {MAX_PROVIDER_CHARS} 字",
        "（海南省、海口市",
    ),
    "heading": (
        lambda: case_with(source(), "（一）", "（一）" + "很" * MAX_HEADING_CHARS),
        f"条目的第一句超过 {MAX_HEADING_CHARS} 字",
        "（一）很很",
    ),
    "items": (too_many_items, f"案例 1 的“主要做法”有 201 条，最多 {MAX_ITEMS_PER_SECTION} 条", "（二百零一）"),
    "index size": (
        lambda: case_with(source(), "二、实践效果", ("很长的正文。" * (MAX_CASE_CHARS // 6)) + " \n二、实践效果"),
        f"超过检索索引能容纳的 {MAX_CASE_CHARS} 字",
        "1．优化",
    ),
}


class TestLimits:
    def test_the_limits_are_the_columns_lengths(self):
        assert Case._meta.get_field("title").max_length == MAX_TITLE_CHARS
        assert Case._meta.get_field("provider").max_length == MAX_PROVIDER_CHARS
        assert CaseItem._meta.get_field("heading").max_length == MAX_HEADING_CHARS

    @pytest.mark.parametrize("name", LIMITS)
    def test_a_document_over_a_limit_is_refused_at_the_preview_with_its_line(self, admin_client, name):
        make, message, needle = LIMITS[name]
        text = make()
        before = snapshot()
        response = preview(admin_client, text.encode(), collection=Collection.objects.get(slug="service-trade-2020").pk)
        html = response.content.decode()
        assert response.status_code == 200
        assert "文件有错误，未导入" in html and message in html, html[html.find("errornote") :][:400]
        assert f"第 {line_of(text, needle)} 行" in html
        assert "确认导入" not in html and SESSION_KEY not in admin_client.session
        assert snapshot() == before

    def test_the_largest_case_allowed_is_indexed(self, admin_client, client):
        """Different long dictionary words, the most index text per character, up to the limit still fit."""
        from search.index.text import tokenizer

        words = [w for w, n in tokenizer().FREQ.items() if n and len(w) >= 4 and all("一" <= c <= "鿿" for c in w)]
        random.Random(7).shuffle(words)
        body, i = "", 0
        while len(body) < MAX_CASE_CHARS - 200:
            body += words[i]
            i += 1
        longest = "21．最长的案例 \n（海南省提供） \n导语。 \n一、主要做法 \n" + body + " \n"
        longest += "二、实践效果 \n效果。 \n三、下一步工作思路 \n思路。 \n"
        document = source() + longest
        parse_document(document)  # within the limits
        preview(admin_client, document.encode(), collection=Collection.objects.get(slug="service-trade-2020").pk)
        response = confirm(admin_client)
        assert "新增 1 个" in response.content.decode()
        created = Case.objects.get(number=21)
        assert created.search_document.published is False  # a draft, indexed
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT length(vector) FROM search_searchdocument WHERE case_id = %s", [created.pk])
                assert cursor.fetchone()[0] > len(words[0]) * 1000  # lexemes: its many different words


class TestConfirmingTwice:
    def test_a_second_confirmation_of_an_update_says_it_is_done(self, admin_client):
        collection = Collection.objects.get(slug="service-trade-2020")
        preview(admin_client, source_with_new_count().encode(), collection=collection.pk)
        pending = admin_client.session[SESSION_KEY]
        assert "更新 1 个" in confirm(admin_client).content.decode()
        before = snapshot()
        # The second click was sent with the session as it was before the first one finished.
        session = admin_client.session
        session[SESSION_KEY] = pending
        session.save()
        response = admin_client.post(IMPORT, {"_confirm": "1", "token": pending["token"]}, follow=True)
        assert response.status_code == 200
        assert "此导入已完成" in response.content.decode()
        assert response.redirect_chain[-1][0].endswith(f"collection__id__exact={collection.pk}")
        assert snapshot() == before

    def test_a_second_confirmation_of_a_new_collection_creates_nothing_more(self, admin_client):
        preview(admin_client, source().encode(), new_slug="copy-2020", new_title="副本")
        pending = admin_client.session[SESSION_KEY]
        confirm(admin_client)
        session = admin_client.session
        session[SESSION_KEY] = pending
        session.save()
        response = admin_client.post(IMPORT, {"_confirm": "1", "token": pending["token"]}, follow=True)
        assert response.status_code == 200 and "此导入已完成" in response.content.decode()
        assert Collection.objects.filter(slug="copy-2020").count() == 1
        assert Case.objects.filter(collection__slug="copy-2020").count() == 20

    def test_the_service_refuses_a_token_used_before(self):
        parsed = parse_document(SOURCE_2020.read_text(encoding="utf-8"))
        collection = Collection.objects.get(slug="service-trade-2020")
        case_import(parsed_cases=parsed, collection=collection, run_token="abc")
        with pytest.raises(ImportAlreadyDone) as done:
            case_import(parsed_cases=parsed, collection=collection, run_token="abc")
        assert done.value.collection_id == collection.pk
