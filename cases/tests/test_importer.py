"""Importing the source document: faithful records, idempotent, and nothing written on bad input."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.importer import DocumentError, parse_bytes
from cases.models import Case, CaseItem, Collection
from cases.numbering import chinese_numeral
from conftest import SOURCE_2020
from search.index.version import content_version

from .expected_2020 import EXPECTED_CASES

pytestmark = pytest.mark.django_db

SECTIONS = {
    CaseItem.Section.MEASURE: "measures",
    CaseItem.Section.OUTCOME: "outcomes",
    CaseItem.Section.NEXT_STEP: "next_steps",
}
ORDINALS = "一二三四五六七八九十"


def import_source(path, *options: str) -> str:
    out = StringIO()
    call_command("import_cases", str(path), "--collection", "service-trade-2020", *options, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Everything the importer may write, to show that nothing changed."""
    cases = list(Case.objects.order_by("pk").values_list("pk", "number", "title", "provider", "summary", "updated_at"))
    items = list(CaseItem.objects.order_by("pk").values_list("pk", "case_id", "section", "position", "heading", "body"))
    links = list(Case.regions.through.objects.order_by("pk").values_list("case_id", "region_id"))
    return [*cases, *items, *links, Collection.objects.count()]


def source_text_by_case() -> dict[int, str]:
    """The source split at case headers, after the documented normalisation:
    whitespace removed, the page-number line dropped, 臵 → 置 and 〃 → ·."""
    text = SOURCE_2020.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not re.fullmatch(r"\s+\d{1,3}\s*", line)]
    flat = re.sub(r"\s+", "", "\n".join(lines)).replace("臵", "置").replace("〃", "·")
    parts = re.split(r"(?<![\d.])(?=(?:[1-9]|1\d|20)．)", flat)
    return {int(part.split("．", 1)[0]): part for part in parts if part}


def stored_text(case: Case) -> str:
    """The case written back out in the document's own layout, without whitespace."""
    out = [f"{case.number}．{case.title}（{case.provider}）{case.summary}"]
    for index, (section, items) in enumerate(case.items_by_section().items()):
        out.append(f"{ORDINALS[index]}、{CaseItem.Section(section).label}")
        numbered = 0
        for item in items:
            if item.numbered:
                out.append(f"（{ORDINALS[numbered]}）{item.heading}")
                numbered += 1
            out.append(item.body)
    return re.sub(r"\s+", "", "".join(out))


class TestTheTwentyCases:
    @pytest.mark.parametrize("expected", EXPECTED_CASES, ids=lambda e: f"case-{e['number']}")
    def test_case_has_the_title_regions_and_items_of_the_source(self, expected):
        case = Case.objects.prefetch_related("regions__parent", "items").get(
            collection__slug="service-trade-2020", number=expected["number"]
        )
        assert case.title == expected["title"]
        assert case.provider == expected["provider"]
        assert sorted(region.full_name for region in case.regions.all()) == sorted(expected["regions"])
        counts = {key: len(items) for section, items in case.items_by_section().items() for key in [SECTIONS[section]]}
        assert counts == {key: expected[key] for key in SECTIONS.values()}
        measures = case.items_by_section()[CaseItem.Section.MEASURE]
        assert measures[0].heading == expected["first_measure_heading"]

    def test_no_character_is_lost_or_added(self):
        source = source_text_by_case()
        assert sorted(source) == list(range(1, 21))
        for case in Case.objects.prefetch_related("items").filter(collection__slug="service-trade-2020"):
            assert stored_text(case) == source[case.number], f"case {case.number} differs from the source"

    def test_pdf_artefacts_are_repaired(self):
        every_text = " ".join(
            [*Case.objects.values_list("summary", flat=True), *CaseItem.objects.values_list("body", flat=True)]
        )
        assert "臵" not in every_text and "〃" not in every_text
        case2 = CaseItem.objects.filter(case__number=2, body__contains="旧金山·成都美食文化节")
        assert case2.exists()
        # The page number printed inside case 19's item (三) is gone and the sentence is whole again.
        item = CaseItem.objects.get(case__number=19, section=CaseItem.Section.MEASURE, position=3)
        assert "畅通融资渠道" in item.body and "60" not in item.body
        # Layout spaces around digits go; the space between two Latin words stays.
        assert "2020年3月" in Case.objects.get(number=1).items.get(section=2, position=2).body
        assert CaseItem.objects.filter(case__number=2, body__contains="La Liste").exists()

    def test_numbered_item_heading_is_its_short_first_sentence(self):
        item = CaseItem.objects.get(case__number=1, section=CaseItem.Section.OUTCOME, position=2)
        assert (item.heading, item.numbered) == ("外籍人才招聘模式实现新突破。", True)
        assert item.body.startswith("海南博鳌乐城国际医疗旅游先行区内企事业共招聘了45名外籍医务人员。")

    def test_an_outcome_stated_in_one_long_sentence_is_body_text_with_its_numeral(self):
        # （二）中远海运等物流企业为世界500强……物流服务。2018年8月9日，首张铁海联运提单成功开具…
        item = CaseItem.objects.get(case__number=11, section=CaseItem.Section.OUTCOME, position=2)
        assert (item.heading, item.numbered) == ("", True)
        assert (
            item.body.startswith("中远海运等物流企业")
            and "物流服务。2018年8月9日，首张铁海联运提单成功开具" in item.body
        )
        outcomes = Case.objects.get(number=11).numbered_items()[CaseItem.Section.OUTCOME]
        assert [(entry.numeral, entry.heading) for entry in outcomes] == [("一", ""), ("二", ""), ("三", "")]
        # A short sentence that is the whole item states a result; it heads nothing.
        assert outcomes[2].body == "开展物流金融创新试点，交易结算金额达120亿元。"

    def test_only_these_sections_are_numbered_without_headings(self):
        """Read by hand: every numbered item of these sections is a sentence that states its point."""
        headingless = {(2, 3), (3, 3), (8, 3), (11, 2), (11, 3), (12, 3), (13, 2), (14, 3), (15, 3), (16, 3)}
        numbered = CaseItem.objects.filter(numbered=True, case__collection__slug="service-trade-2020")
        found = {
            (case, section, bool(heading))
            for case, section, heading in numbered.values_list("case__number", "section", "heading")
        }
        assert {(case, section) for case, section, has_heading in found if not has_heading} == headingless
        assert not {(case, section) for case, section, has_heading in found if has_heading} & headingless
        assert all(
            len(heading) <= 30 for heading in CaseItem.objects.exclude(heading="").values_list("heading", flat=True)
        )

    def test_unnumbered_paragraphs_become_items_without_heading(self):
        measures = CaseItem.objects.filter(case__number=14, section=CaseItem.Section.MEASURE).order_by("position")
        assert [item.heading for item in measures] == ["", "", "", ""]
        assert [item.body[:5] for item in measures] == ["平台统一汇", "枢纽设施链", "物流产业链", "物流价值链"]

    def test_a_numbered_item_keeps_its_further_paragraphs(self):
        item = CaseItem.objects.get(case__number=5, section=CaseItem.Section.MEASURE, position=1)
        assert item.heading == "黄金地段“腾笼换鸟”，国际水准“筑巢引凤”。"
        assert item.body.split("\n")[1].startswith("高标准定位园区规划设计。")
        assert len(item.body.split("\n")) == 3

    def test_provider_naming_several_regions_links_each(self):
        case = Case.objects.get(number=17)
        assert case.provider == "杭州市、武汉市、成都市等试点地区提供"
        assert sorted(case.regions.values_list("slug", flat=True)) == ["chengdu", "hangzhou", "wuhan"]

    def test_new_areas_belong_to_their_province(self):
        case = Case.objects.get(number=7)
        [region] = case.regions.select_related("parent")
        assert (region.name, region.level, region.parent.name) == ("两江新区", "new_area", "重庆市")


class TestImportCommand:
    def test_the_committed_fixture_is_what_the_importer_produces(self):
        output = import_source(SOURCE_2020)
        assert "新增 0 个，更新 0 个，未变 20 个" in output

    def test_reimport_changes_nothing(self):
        before = snapshot()
        import_source(SOURCE_2020)
        import_source(SOURCE_2020)
        assert snapshot() == before

    def test_import_into_a_new_collection_creates_the_twenty_cases(self):
        out = StringIO()
        call_command(
            "import_cases", str(SOURCE_2020), "--collection", "copy", "--title", "副本", "--year", "2020", stdout=out
        )
        assert "新增 20 个" in out.getvalue()
        copies = Case.objects.filter(collection__slug="copy")
        assert copies.count() == 20
        assert (
            CaseItem.objects.filter(case__collection__slug="copy").count()
            == CaseItem.objects.filter(case__collection__slug="service-trade-2020").count()
        )

    def test_reimport_updates_a_changed_case_in_place(self, tmp_path):
        text = SOURCE_2020.read_text(encoding="utf-8").replace("允许和鼓励事业单位", "允许并鼓励事业单位")
        changed = tmp_path / "changed.txt"
        changed.write_text(text, encoding="utf-8")
        item = CaseItem.objects.get(case__number=1, section=1, position=3)
        output = import_source(changed)
        assert "更新 1 个，未变 19 个" in output
        item.refresh_from_db()  # same row, new text
        assert item.body.startswith("允许并鼓励事业单位")

    def test_dry_run_prints_the_table_and_writes_nothing(self):
        before = snapshot()
        out = StringIO()
        call_command("import_cases", str(SOURCE_2020), "--collection", "new", "--title", "新", "--dry-run", stdout=out)
        output = out.getvalue()
        assert snapshot() == before
        assert "试运行" in output and "未写入数据库" in output
        row = next(line for line in output.splitlines() if line.startswith("17 "))
        assert "创新服务贸易国际化人才服务机制" in row and "杭州市、武汉市、成都市" in row
        assert row.split()[-4:] == ["3", "3", "3", "新增"]

    def test_a_dry_run_of_a_changed_document_leaves_the_index_alone(self, tmp_path):
        text = SOURCE_2020.read_text(encoding="utf-8").replace("允许和鼓励事业单位", "允许并鼓励事业单位")
        changed = tmp_path / "changed.txt"
        changed.write_text(text, encoding="utf-8")
        before, version = snapshot(), content_version()
        assert "更新 1 个，未变 19 个" in import_source(changed, "--dry-run")
        assert snapshot() == before
        assert content_version() == version  # nothing reindexed: cached pages stay valid

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="无法读取"):
            import_source(tmp_path / "missing.txt")

    def test_a_new_collection_needs_a_title(self):
        with pytest.raises(CommandError, match="--title"):
            call_command("import_cases", str(SOURCE_2020), "--collection", "nameless")


def _source() -> str:
    return SOURCE_2020.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# name: (document bytes, expected message, the line it names — found in the broken document)
MALFORMED = {
    "empty file": (lambda: b"", "文件为空", None),
    "binary garbage": (lambda: bytes(range(256)) * 8, "二进制", lambda text: 1),
    "wrong encoding": (lambda: _source().encode("gbk"), "UTF-8", lambda text: 1),
    "case without a section": (
        lambda: _source().replace("二、实践效果", "", 1).encode(),
        "条目编号应为（五），实为（一）。是否缺少“二、实践效果”一行？",
        lambda text: _line_of(text, "（一）优化了放宽外籍人才岗位限制"),
    ),
    "case without a section, unnumbered": (
        # Case 5's outcomes are one unnumbered paragraph: without their heading the next heading is out of order.
        lambda: _source().replace("二、实践效果 \n\n威海服务贸易产业园", "威海服务贸易产业园").encode(),
        "应为“二、实践效果”，实为“三、下一步工作思路”",
        lambda text: _line_of(text, "（一）加快园区建设。") - 1,
    ),
    "last case cut short": (
        lambda: _source()[: _source().rindex("三、下一步工作思路")].encode(),
        "案例 20（第 2527 行起）缺少“下一步工作思路”部分",
        None,
    ),
    "duplicated case number": (
        lambda: _source().replace("4．拓宽境外融资渠道", "3．拓宽境外融资渠道").encode(),
        "案例编号 3 重复",
        lambda text: _line_of(text, "3．拓宽境外融资渠道"),
    ),
    "title too long": (
        lambda: _source().replace("4．拓宽境外融资渠道", "4．" + "长" * 200 + "拓宽境外融资渠道").encode(),
        "案例 4 的标题有 217 字，最多 200 字",
        lambda text: _line_of(text, "4．长长"),
    ),
    "unknown region": (
        lambda: _source().replace("（威海市提供）", "（烟台市提供）").encode(),
        "“烟台市”不是已知地区",
        lambda text: _line_of(text, "（烟台市提供）"),
    ),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_input_fails_with_its_line_and_writes_nothing(name, tmp_path):
    make, message, find_line = MALFORMED[name]
    data = make()
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        import_source(path)
    assert message in str(error.value)
    if find_line:
        assert f"第 {find_line(data.decode('utf-8', 'replace'))} 行" in str(error.value)
    assert snapshot() == before


def test_gbk_error_points_at_the_first_bad_line():
    data = "1．标题\n（海南省提供）\n".encode() + "第三行是中文".encode("gbk")
    with pytest.raises(DocumentError) as error:
        parse_bytes(data)
    assert error.value.line == 3


def test_out_of_sequence_item_numbers_are_reported():
    text = _source().replace("（二）建立学术评审委员会", "（三）建立学术评审委员会", 1)
    with pytest.raises(DocumentError) as error:
        parse_bytes(text.encode())
    assert error.value.line == _line_of(_source(), "（二）建立学术评审委员会")
    assert "应为（二）" in error.value.message


def test_case_numbers_run_to_four_digits():
    """A collection of a thousand cases or more is numbered on: 999．, 1000．, …"""
    first = _source()[: _source().index(" 2．")]
    text = first + first.replace(" 1．", " 999．", 1) + first.replace(" 1．", " 1000．", 1)
    assert [case.number for case in parse_bytes(text.encode())] == [1, 999, 1000]


def test_text_before_the_first_case_is_reported():
    with pytest.raises(DocumentError, match="第 1 行"):
        parse_bytes(("前言一段。 \n" + _source()).encode())


@pytest.mark.parametrize(
    ("n", "numeral"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (1000, "一千"),
        (1010, "一千零一十"),
    ],
)
def test_numbers_are_written_as_chinese_documents_write_them(n, numeral):
    assert chinese_numeral(n) == numeral
