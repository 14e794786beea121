"""Exports: CSV, Excel, JSON and the Word briefing, read back with the libraries analysts' tools use."""

import codecs
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.http import FileResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from cases.exports import rows, selection, xlsx_writer
from cases.exports import views as export_views
from cases.models import Case, CaseItem, Topic
from regions.models import Region
from search.service import SearchArguments, Sort, ranked_case_ids, search_cases

pytestmark = pytest.mark.django_db

CSV = reverse("export:cases_csv")
XLSX = reverse("export:cases_xlsx")
JSON = reverse("export:cases_json")
DOCX = reverse("export:briefing_docx")
ALL_URLS = [CSV, XLSX, JSON, DOCX]


def download(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_table(response) -> list[list[str]]:
    raw = download(response)
    assert raw.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def ids_of_links(rows: list[list[str]]) -> list[int]:
    return [int(row[-1].rstrip("/").rsplit("/", 1)[1]) for row in rows]


def search_ids(q: str = "", regions=(), topics=(), sort: str = Sort.RELEVANCE) -> list[int]:
    results = search_cases(q=q, regions=list(regions), topics=list(topics), sort=sort, page_size=100)
    return [hit.case.pk for hit in results.hits]


def workbook(response):
    return load_workbook(io.BytesIO(download(response)))


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with ``env`` (settings are read at start-up)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def temporary_files(monkeypatch) -> list:
    """The temporary files the exports open from now on (a list that fills as they are opened)."""
    opened = []
    make = tempfile.TemporaryFile

    def recorded(*args, **kwargs):
        opened.append(make(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", recorded)
    return opened


def briefing(response):
    return Document(io.BytesIO(download(response)))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def cover_text(document) -> list[str]:
    """The cover's paragraphs: those before the table of contents' heading."""
    texts = []
    for paragraph in document.paragraphs:
        if paragraph.style.name == "TOC Heading":
            return texts
        texts.append(paragraph.text)
    raise AssertionError("no table of contents")


def field_instructions(element) -> list[str]:
    return [node.text.strip() for node in element.iter(f"{W}instrText")]


def pks(*numbers: int) -> list[int]:
    by_number = dict(Case.objects.values_list("number", "pk"))
    return [by_number[number] for number in numbers]


class TestCsv:
    def test_bom_header_and_every_case_in_order(self, client):
        response = client.get(CSV)
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        header, *rows = csv_table(response)
        assert header == [
            "案例集",
            "编号",
            "标题",
            "提供单位",
            "地区",
            "主题",
            "导语",
            "主要做法",
            "实践效果",
            "下一步工作思路",
            "链接",
        ]
        assert len(rows) == 20
        assert [int(row[1]) for row in rows] == list(range(1, 21))
        assert all(len(row) == len(header) for row in rows)

    def test_a_case_row_with_numbered_items_on_lines_of_one_cell(self, client):
        case = Case.objects.get(number=8)
        _, row = csv_table(client.get(CSV, {"case": case.pk}))
        assert row[0] == "服务贸易创新发展试点最佳实践案例（2020）"
        assert row[2:4] == ["积极推进邮轮服务贸易新业态发展", "上海市、天津市提供"]
        assert sorted(row[4].split("、")) == sorted(["上海市", "天津市"])
        assert row[6] == case.summary
        measures = row[7].split("\n")
        assert len(measures) == 4
        assert measures[0] == "（一）加强宏观政策引导。" + case.items.get(section=1, position=1).body
        assert measures[3].startswith("（四）")
        assert [len(cell.split("\n")) for cell in row[8:10]] == [3, 4]
        assert row[10] == f"http://testserver/cases/{case.pk}/"

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "融资", "region": "hubei"},
            {"q": "融资"},
            {"q": "融资", "sort": "number"},
            {"q": "物流 平台", "topic": ["logistics", "finance"]},
            {"q": "邮轮 区块链"},  # no case has both: the any-word fallback
            {"q": "-融资"},  # exclusions only
            {"region": ["zhejiang", "chongqing"]},
        ],
    )
    def test_rows_are_the_search_results_in_order(self, client, params):
        _, *rows = csv_table(client.get(CSV, params))
        expected = search_ids(
            q=params.get("q", ""),
            regions=Region.objects.filter(slug__in=_list(params.get("region"))),
            topics=Topic.objects.filter(slug__in=_list(params.get("topic"))),
            sort=params.get("sort", Sort.RELEVANCE),
        )
        assert expected
        assert ids_of_links(rows) == expected

    def test_q_and_region_give_the_search_page_order(self, client):
        _, *rows = csv_table(client.get(CSV, {"q": "融资", "region": "hubei"}))
        api = client.get(reverse("api:case_list"), {"q": "融资", "region": "hubei"}).json()
        assert ids_of_links(rows) == [result["id"] for result in api["results"]]
        assert {int(row[1]) for row in rows} == {4, 17, 20}  # 武汉's cases that mention 融资

    def test_page_parameters_are_ignored(self, client):
        _, *rows = csv_table(client.get(CSV, {"page": 2, "page_size": 5}))
        assert len(rows) == 20

    def test_chosen_cases_keep_their_order_once_each(self, client):
        chosen = pks(13, 8, 2)
        _, *rows = csv_table(client.get(CSV, {"case": [*chosen, chosen[0]]}))
        assert ids_of_links(rows) == chosen

    def test_text_that_looks_like_a_formula_stays_text(self, client):
        case = Case.objects.get(number=3)
        case.summary = '=HYPERLINK("http://example.com","点击")'
        case.save()
        _, row = csv_table(client.get(CSV, {"case": case.pk}))
        assert row[6] == "'" + case.summary
        sheet = workbook(client.get(XLSX, {"case": case.pk}))["案例"]
        assert sheet["G2"].value == case.summary and sheet["G2"].data_type == "s"

    def test_number_of_queries_does_not_grow_with_the_cases(self, client):
        def queries(params) -> int:
            with CaptureQueriesContext(connection) as captured:
                download(client.get(CSV, params))
            return len(captured)

        download(client.get(CSV, {"case": pks(8)}))  # the region and topic names are read once per content version
        one = queries({"case": pks(8)})
        assert queries({}) == one
        assert queries({"case": pks(*range(1, 21))}) == one


def _list(value) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class TestExcel:
    def test_two_sheets_with_bold_frozen_headers_and_widths(self, client):
        book = workbook(client.get(XLSX))
        assert book.sheetnames == ["案例", "条目"]
        cases, items = book["案例"], book["条目"]
        assert [cell.value for cell in cases[1]] == rows.CASE_COLUMNS
        assert [cell.value for cell in items[1]] == ["案例编号", "标题", "部分", "序号", "要点", "正文"]
        for sheet in (cases, items):
            assert sheet.freeze_panes == "A2"
            assert all(cell.font.b for cell in sheet[1])
            assert sheet["B2"].alignment.wrap_text
        assert cases.column_dimensions["C"].width >= 30
        assert cases.max_row == 21
        assert items.max_row - 1 == CaseItem.objects.count()

    def test_item_rows_are_the_items_of_the_exported_cases(self, client):
        book = workbook(client.get(XLSX, {"q": "融资", "region": "hubei"}))
        numbers = [row[1] for row in book["案例"].iter_rows(min_row=2, values_only=True)]
        assert sorted(numbers) == [4, 17, 20]
        item_rows = list(book["条目"].iter_rows(min_row=2, values_only=True))
        assert len(item_rows) == CaseItem.objects.filter(case__number__in=numbers).count()
        assert {row[0] for row in item_rows} == {4, 17, 20}

    def test_chinese_text_is_intact(self, client):
        case = Case.objects.get(number=8)
        book = workbook(client.get(XLSX, {"case": case.pk}))
        row = [cell.value for cell in book["案例"][2]]
        assert row[2] == "积极推进邮轮服务贸易新业态发展" and row[6] == case.summary
        first = [cell.value for cell in book["条目"][2]]
        item = case.items.get(section=1, position=1)
        assert first == [8, case.title, "主要做法", 1, "加强宏观政策引导。", item.body]
        sections = [row[2] for row in book["条目"].iter_rows(min_row=2, values_only=True)]
        assert sections == ["主要做法"] * 4 + ["实践效果"] * 3 + ["下一步工作思路"] * 4

    def test_links_filters_and_properties(self, client):
        book = workbook(client.get(XLSX))
        cases, items = book["案例"], book["条目"]
        links = [row[10] for row in cases.iter_rows(min_row=2)]
        assert [cell.hyperlink.target for cell in links] == [cell.value for cell in links]
        assert [cell.value for cell in links] == [f"http://testserver/cases/{pk}/" for pk in pks(*range(1, 21))]
        assert links[0].font.u == "single"
        title = items["B2"]
        assert title.value == Case.objects.get(number=1).title
        assert title.hyperlink.target == f"http://testserver/cases/{pks(1)[0]}/"
        assert cases.auto_filter.ref == "A1:K21"
        assert items.auto_filter.ref == f"A1:F{CaseItem.objects.count() + 1}"
        assert book.properties.creator == book.properties.lastModifiedBy == settings.SITE_NAME == "试点最佳实践案例库"
        assert book.properties.title == "试点最佳实践案例"
        assert book.properties.subject == "范围：全部案例"

    def test_the_properties_give_the_scope_and_rows_fit_their_text(self, client):
        book = workbook(client.get(XLSX, {"q": "融资", "region": "hubei"}))
        assert book.properties.subject == "检索词：融资；地区：湖北省"
        assert "openpyxl" not in f"{book.properties.creator} {book.properties.lastModifiedBy}".lower()
        items = book["条目"]
        heights = {
            row: items.row_dimensions[row].height for row in range(2, items.max_row + 1) if items.cell(row, 6).value
        }
        longest = max(heights, key=lambda row: len(items.cell(row, 6).value))
        shortest = min(heights, key=lambda row: len(items.cell(row, 6).value))
        assert heights[longest] > heights[shortest] >= 16

    def test_the_sheets_print_landscape_on_a4_with_the_header_on_every_page(self, client):
        book = workbook(client.get(XLSX))
        for sheet in book.worksheets:
            assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
            # As wide as one page (1, also when left out, as XlsxWriter leaves it), as many pages high as it takes.
            assert sheet.page_setup.fitToWidth in (1, None) and sheet.page_setup.fitToHeight == 0
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.print_title_rows == "$1:$1"

    def test_past_excels_limit_of_links_a_row_links_through_a_formula(self, client, monkeypatch):
        monkeypatch.setattr(xlsx_writer, "EXCEL_MAX_LINKS", 5)
        raw = download(client.get(XLSX))
        items = load_workbook(io.BytesIO(raw))["条目"]
        linked = [row[1] for row in items.iter_rows(min_row=2) if row[1].hyperlink]
        assert len(linked) == 5
        later = items.cell(row=7, column=2)
        case = Case.objects.get(number=items.cell(row=7, column=1).value)
        assert later.hyperlink is None and later.font.u == "single"
        assert later.value == f'=HYPERLINK("http://testserver/cases/{case.pk}/","{case.title}")'
        # The formula's result is stored with it: a program that does not calculate shows the title.
        values = load_workbook(io.BytesIO(raw), data_only=True)["条目"]
        assert values.cell(row=7, column=2).value == case.title

    def test_the_workbook_is_sent_from_a_temporary_file_piece_by_piece(self, client, monkeypatch, tmp_path):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where temporary files go
        opened = temporary_files(monkeypatch)
        response = client.get(XLSX)
        assert isinstance(response, FileResponse) and response.streaming
        chunks = list(response.streaming_content)
        assert len(chunks) > 1 and int(response["Content-Length"]) == sum(len(chunk) for chunk in chunks)
        # The sheets' rows and the workbook's parts were written to temporary files, removed once the workbook
        # was zipped into another, which is closed (and so removed) once it is sent: nothing is left behind.
        assert len(opened) == 1 and opened[0].closed
        assert list(tmp_path.iterdir()) == []
        book = load_workbook(io.BytesIO(b"".join(chunks)))
        assert book["案例"].max_row == 21 and book["条目"].max_row == CaseItem.objects.count() + 1
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Content-Disposition"].startswith('attachment; filename="cases_')

    def test_a_workbook_that_fails_leaves_no_file_behind(self, rf, monkeypatch, tmp_path):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

        def cases():
            yield from selection.iter_cases(pks(1, 2))
            raise RuntimeError("the database went away")

        chosen = selection.Selection(ids=pks(1, 2, 3), chosen=True)
        context = selection.ExportContext(request=rf.get(XLSX), selection=chosen, today=timezone.localdate())
        with pytest.raises(RuntimeError):
            xlsx_writer.write(cases(), context)
        assert list(tmp_path.iterdir()) == []

    def test_any_text_is_written_as_the_same_text(self, client, monkeypatch):
        case = Case.objects.get(number=3)
        case.title = "<r>SORT(甲)</r>"  # XML to the library's fast path, a function name to its formula writer
        case.summary = "<r>甲 & 乙</r>"
        case.provider = "商务部\x0b提供"  # a character XML cannot hold
        case.save()
        item = case.items.order_by("section", "position").first()
        item.body = "𠀀" * 20_000  # each takes two of the 32,767 UTF-16 units a cell holds
        item.save()
        monkeypatch.setattr(xlsx_writer, "EXCEL_MAX_LINKS", 1)
        raw = download(client.get(XLSX, {"case": case.pk}))
        book = load_workbook(io.BytesIO(raw))
        cases, items = book["案例"], book["条目"]
        assert [cases["C2"].value, cases["D2"].value, cases["G2"].value] == [case.title, "商务部提供", case.summary]
        url = f"http://testserver/cases/{case.pk}/"
        assert items["B2"].value == case.title and items["B2"].hyperlink.target == url
        assert items["B3"].value == f'=HYPERLINK("{url}","<r>SORT"&"(甲)</r>")'
        assert load_workbook(io.BytesIO(raw), data_only=True)["条目"]["B3"].value == case.title
        body = items["F2"].value
        assert body.endswith("…") and len(body.encode("utf-16-le")) // 2 == 32767
        assert body[:-1] == "𠀀" * 16383


class TestJson:
    def test_cases_have_the_shape_of_the_case_api(self, client):
        chosen = pks(13, 8)
        response = client.get(JSON, {"case": chosen})
        assert response.streaming
        body = json.loads(download(response))
        assert body == [client.get(reverse("api:case_detail", args=[pk])).json() for pk in chosen]

    def test_every_case_in_order(self, client):
        body = json.loads(download(client.get(JSON)))
        assert [case["number"] for case in body] == list(range(1, 21))
        assert {"measures", "outcomes", "next_steps", "regions", "topics", "summary"} <= set(body[0])

    def test_an_empty_result_is_an_empty_list(self, client):
        assert json.loads(download(client.get(JSON, {"q": "融资", "region": "xizang"}))) == []


class TestBriefing:
    def test_one_heading_per_case_with_its_sections_and_items(self, client):
        chosen = Case.objects.filter(pk__in=pks(8, 13))
        document = Document(io.BytesIO(download(client.get(DOCX, {"case": pks(13, 8)}))))
        headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
        assert [p.text for p in headings] == [chosen.get(number=13).title, chosen.get(number=8).title]
        assert all(p.paragraph_format.page_break_before for p in headings)
        text = [p.text for p in document.paragraphs]
        assert "服务贸易创新发展试点最佳实践案例（2020）" in text[1]
        today = timezone.localdate()
        assert f"{today.year}年{today.month}月{today.day}日" in "\n".join(text[:5])
        assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"][:3] == [
            "一、主要做法",
            "二、实践效果",
            "三、下一步工作思路",
        ]
        case = chosen.get(number=8)
        assert any(t.startswith("（一）加强宏观政策引导。") for t in text)
        assert any(t.startswith("（四）") and case.items.get(section=1, position=4).heading in t for t in text)
        assert "地区：天津市、上海市    主题：" in "\n".join(text)  # regions in code order, as on the site
        assert case.summary in text

    def test_chinese_fonts_are_set_for_body_and_headings(self, client):
        document = Document(io.BytesIO(download(client.get(DOCX, {"case": pks(1)}))))
        fonts = {name: document.styles[name].element.rPr.rFonts for name in ("Normal", "Heading 1", "Heading 2")}
        east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        assert fonts["Normal"].get(east_asia) == "宋体"
        assert fonts["Heading 1"].get(east_asia) == fonts["Heading 2"].get(east_asia) == "黑体"

    def test_a_briefing_of_search_results(self, client):
        document = Document(io.BytesIO(download(client.get(DOCX, {"q": "融资", "region": "hubei"}))))
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        expected = search_ids(q="融资", regions=Region.objects.filter(slug="hubei"))
        assert headings == [Case.objects.get(pk=pk).title for pk in expected]

    def test_the_cover_names_the_scope_date_and_count(self, client):
        params = {"q": "融资", "region": "hubei", "topic": "finance"}
        expected = search_ids(
            q="融资", regions=Region.objects.filter(slug="hubei"), topics=Topic.objects.filter(slug="finance")
        )
        assert expected
        cover = cover_text(briefing(client.get(DOCX, params)))
        assert cover[0] == "试点最佳实践案例简报"
        assert cover[2:5] == ["检索词：融资", "地区：湖北省", "主题：金融服务"]
        assert f"共 {len(expected)} 个案例" in cover
        today = timezone.localdate()
        assert f"日期：{today.year}年{today.month}月{today.day}日" in cover
        assert cover[-1] == settings.SITE_NAME

    def test_the_cover_of_chosen_cases_says_so(self, client):
        cover = cover_text(briefing(client.get(DOCX, {"case": pks(13, 8)})))
        assert "范围：已选案例" in cover and "共 2 个案例" in cover
        assert not any(line.startswith(("检索词", "地区", "主题")) for line in cover)
        assert "范围：全部案例" in cover_text(briefing(client.get(DOCX)))

    def test_properties_speak_for_the_site(self, client):
        raw = download(client.get(DOCX, {"q": "融资", "region": "hubei"}))
        properties = Document(io.BytesIO(raw)).core_properties
        assert properties.author == properties.last_modified_by == settings.SITE_NAME == "试点最佳实践案例库"
        assert properties.title == "试点最佳实践案例简报"
        assert properties.subject == "检索词：融资；地区：湖北省"
        assert properties.language == "zh-CN"
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            metadata = b"".join(package.read(name) for name in package.namelist() if name.startswith("docProps/"))
            assert "docProps/thumbnail.jpeg" not in package.namelist()
        assert b"python-docx" not in metadata and b"Microsoft" not in metadata

    def test_characters_an_office_file_cannot_hold_are_left_out_of_the_properties(self, client):
        params = {"q": "融资\ufffe", "region": "hubei"}
        assert briefing(client.get(DOCX, params)).core_properties.subject == "检索词：融资；地区：湖北省"
        assert workbook(client.get(XLSX, params)).properties.subject == "检索词：融资；地区：湖北省"

    def test_a_table_of_contents_field_already_listing_the_cases(self, client):
        chosen = pks(13, 8, 2)
        document = briefing(client.get(DOCX, {"case": chosen}))
        body = document.element.body
        assert field_instructions(body)[0] == 'TOC \\o "1-1" \\h \\z \\u'
        titles = [Case.objects.get(pk=pk).title for pk in chosen]
        entries = [p for p in document.paragraphs if p.style.name == "toc 1"]
        assert [p.text for p in entries] == titles
        # Each entry links to the bookmark on its case's heading.
        anchors = [p._p.find(f"{W}hyperlink").get(f"{W}anchor") for p in entries]
        headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
        assert [h._p.find(f"{W}bookmarkStart").get(f"{W}name") for h in headings] == anchors
        assert len(set(anchors)) == 3
        # The field ends after the last entry, before the first case.
        ends = [node.get(f"{W}fldCharType") for node in entries[-1]._p.iter(f"{W}fldChar")]
        assert ends[-1] == "end"
        # Opened without Word asking whether fields "that may refer to other files" may be updated.
        assert document.settings.element.find(f"{W}updateFields") is None

    def test_page_numbers_in_the_footer_but_not_on_the_cover(self, client):
        section = briefing(client.get(DOCX, {"case": pks(1)})).sections[0]
        assert field_instructions(section.footer._element) == ["PAGE"]
        assert section.different_first_page_header_footer
        assert field_instructions(section.first_page_footer._element) == []

    def test_each_case_links_to_its_page(self, client):
        chosen = pks(8, 13)
        document = briefing(client.get(DOCX, {"case": chosen}))
        links = [p for p in document.paragraphs if p.text.startswith("网页：")]
        urls = [f"http://testserver/cases/{pk}/" for pk in chosen]
        assert [p.text for p in links] == [f"网页：{url}" for url in urls]
        targets = [document.part.rels[p._p.find(f"{W}hyperlink").get(RELATIONSHIP_ID)].target_ref for p in links]
        assert targets == urls

    def test_the_text_is_chinese_for_word(self, client):
        document = briefing(client.get(DOCX, {"case": pks(1)}))
        language = document.styles.element.find(f"{W}docDefaults").find(f".//{W}lang")
        assert language.get(f"{W}eastAsia") == "zh-CN"
        with zipfile.ZipFile(io.BytesIO(download(client.get(DOCX, {"case": pks(1)})))) as package:
            font_table = package.read("word/fontTable.xml").decode()
        assert '<w:font w:name="宋体"><w:altName w:val="SimSun"/>' in font_table

    def test_the_briefing_is_sent_from_a_temporary_file(self, client, monkeypatch):
        opened = temporary_files(monkeypatch)
        response = client.get(DOCX, {"case": pks(13, 4)})
        assert isinstance(response, FileResponse) and response.streaming
        document = briefing(response)
        assert len(opened) == 1 and opened[0].closed
        assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
            Case.objects.get(number=13).title,
            Case.objects.get(number=4).title,
        ]
        assert response["Content-Disposition"].startswith('attachment; filename="briefing_')


class TestFileNames:
    def test_the_name_carries_the_query_and_the_date(self, client):
        today = timezone.localdate().isoformat()
        header = client.get(CSV, {"q": "融资"})["Content-Disposition"]
        assert header == (
            f"attachment; filename=\"cases_{today}.csv\"; filename*=UTF-8''{quote(f'案例_融资_{today}.csv')}"
        )

    @pytest.mark.parametrize(
        ("url", "params", "name", "ascii_name"),
        [
            (XLSX, {"q": "融资", "region": "hubei"}, "案例_融资_湖北省_{}.xlsx", "cases_hubei_{}.xlsx"),
            (JSON, {}, "案例_{}.json", "cases_{}.json"),
            (DOCX, {"q": "RCEP 融资"}, "简报_RCEP_融资_{}.docx", "briefing_RCEP_{}.docx"),
            (CSV, {"q": 'a/b\\c:"d"'}, "案例_a_b_c_d_{}.csv", "cases_a-b-c-d_{}.csv"),
        ],
    )
    def test_names_and_ascii_fallbacks(self, client, url, params, name, ascii_name):
        today = timezone.localdate().isoformat()
        header = client.get(url, params)["Content-Disposition"]
        assert f'filename="{ascii_name.format(today)}"' in header
        assert f"filename*=UTF-8''{quote(name.format(today))}" in header

    @pytest.mark.parametrize("q", ["'", '"', "融资\x00武汉", "融" * 10_000, "<script>\r\n</script>", "🚢 邮轮", ":*"])
    def test_hostile_queries_give_a_file_with_a_safe_name(self, client, q):
        response = client.get(CSV, {"q": q})
        download(response)
        header = response["Content-Disposition"]
        assert header.isascii() and "\n" not in header and "\r" not in header
        name = header.split("filename*=UTF-8''")[1]
        assert len(name) < 700 and name.endswith(".csv")

    def test_chosen_cases_are_counted_in_the_name(self, client):
        header = client.get(DOCX, {"case": pks(8, 13)})["Content-Disposition"]
        assert quote("简报_选定2个_") in header and 'filename="briefing_2-selected_' in header


class TestErrors:
    @pytest.mark.parametrize("url", ALL_URLS)
    @pytest.mark.parametrize(
        ("params", "label"),
        [({"region": "atlantis"}, "地区"), ({"topic": "nothing"}, "主题"), ({"sort": "random"}, "排序")],
    )
    def test_bad_parameters_are_a_clear_400(self, client, url, params, label):
        response = client.get(url, params)
        assert response.status_code == 400 and response["Content-Type"] == "text/html; charset=utf-8"
        html = response.content.decode()
        assert (
            "<h1>未能导出</h1>" in html and '<p class="refusal">导出参数无效。</p>' in html and f"<li>{label}：" in html
        )
        back = f'<a href="/search/?{urlencode(params)}">返回检索结果</a>'
        assert back in html  # where the search page reports the value and leaves it out

    @pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", "１２", "012", "9" * 19, "9" * 400, "1\x00"])
    def test_a_case_id_that_is_not_a_number_is_400(self, client, value):
        response = client.get(CSV, {"case": value})
        assert response.status_code == 400
        assert "<li>案例：案例编号须为正整数" in response.content.decode()
        assert '<a href="/selection/">返回已选案例</a>' in response.content.decode()

    def test_no_chosen_case_is_400(self, client):
        response = client.get(CSV, {"case": ["", " "]})
        assert response.status_code == 400
        assert "<li>案例：没有选定案例。</li>" in response.content.decode()

    def test_a_large_unknown_id_is_404(self, client):
        assert client.get(CSV, {"case": "9" * 18}).status_code == 404

    @pytest.mark.parametrize("url", ALL_URLS)
    def test_unknown_and_draft_cases_are_404(self, client, url):
        draft = Case.objects.get(number=5)
        draft.status = Case.Status.DRAFT
        draft.save()
        for chosen in ([999999], [pks(8)[0], 999999], [draft.pk]):
            response = client.get(url, {"case": chosen})
            assert response.status_code == 404
            assert "没有这些案例" in response.content.decode()

    def test_drafts_are_left_out_of_result_sets(self, client):
        draft = Case.objects.get(number=5)
        draft.status = Case.Status.DRAFT
        draft.save()
        _, *rows = csv_table(client.get(CSV))
        assert len(rows) == 19 and draft.pk not in ids_of_links(rows)

    def test_chosen_cases_and_search_parameters_do_not_mix(self, client):
        response = client.get(CSV, {"case": pks(8), "q": "融资"})
        assert response.status_code == 400
        assert "case 参数不能与 q 同时使用" in response.content.decode()

    def test_too_many_cases_is_a_clear_400(self, client, settings):
        settings.EXPORT_MAX_CASES = 19
        response = client.get(CSV)
        assert response.status_code == 400
        assert "符合条件的案例超过 19 个，一次最多导出 19 个" in response.content.decode()
        assert client.get(CSV, {"q": "融资"}).status_code == 200
        assert client.get(CSV, {"case": pks(*range(1, 21))}).status_code == 400

    @pytest.mark.parametrize("url", [CSV, XLSX, JSON])
    def test_the_setting_sets_the_cap_of_every_table_format(self, client, settings, url):
        assert settings.EXPORT_MAX_CASES == 10000  # the default: a whole library of 10,000 cases at once
        assert client.get(url).status_code == 200
        settings.EXPORT_MAX_CASES = 20
        assert client.get(url).status_code == 200  # all 20 cases
        settings.EXPORT_MAX_CASES = 3
        response = client.get(url)
        assert response.status_code == 400 and "一次最多导出 3 个" in response.content.decode()
        assert client.get(url, {"case": pks(1, 2, 3)}).status_code == 200
        assert "一次最多导出 3 个" in client.get(url, {"case": pks(1, 2, 3, 4)}).content.decode()

    def test_a_file_that_would_not_be_written_in_time_is_a_clear_503_and_leaves_nothing(
        self, client, settings, monkeypatch
    ):
        # gunicorn would kill the worker at its timeout, and the visitor would get nothing, not even a reason.
        monkeypatch.setattr(export_views, "CHECK_EVERY", 5)
        opened = temporary_files(monkeypatch)
        books = []

        class RecordedWorkbook(xlsx_writer.Workbook):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                books.append(self)

        monkeypatch.setattr(xlsx_writer, "Workbook", RecordedWorkbook)
        settings.EXPORT_TIME_LIMIT = 0
        response = client.get(XLSX)
        assert response.status_code == 503
        message = response.content.decode()
        assert "<h1>未能导出</h1>" in message and "这 20 个案例预计需要约" in message and "超过了 0 秒的时限" in message
        assert "请用检索词、地区或主题缩小范围后分几次导出，或导出 CSV（边生成边下载，不受此限）" in message
        # Given up at once: the workbook is not zipped, and no file of it is left open.
        [book] = books
        assert not book.fileclosed
        assert all(sheet.row_data_fh.closed for sheet in book.worksheets())
        assert opened and all(file.closed for file in opened)
        chosen = client.get(XLSX, {"case": pks(*range(1, 11))})
        assert chosen.status_code == 503 and "请减少选定的案例后分几次导出" in chosen.content.decode()
        assert client.get(CSV).status_code == 200  # sent as it is written: no limit
        settings.EXPORT_TIME_LIMIT = 25
        assert load_workbook(io.BytesIO(download(client.get(XLSX))))["案例"].max_row == 21

    def test_the_briefing_takes_fewer_cases(self, client, settings):
        assert settings.EXPORT_MAX_BRIEFING_CASES == 200
        settings.EXPORT_MAX_BRIEFING_CASES = 2
        response = client.get(DOCX, {"case": pks(1, 2, 3)})
        assert response.status_code == 400 and "选定了 3 个案例，一次最多导出 2 个" in response.content.decode()
        assert client.get(DOCX, {"case": pks(1, 2)}).status_code == 200
        assert client.get(CSV, {"case": pks(1, 2, 3)}).status_code == 200

    def test_the_caps_are_read_from_the_environment(self):
        result = manage(
            "shell",
            "-v0",
            "-c",
            "from django.conf import settings; print(settings.EXPORT_MAX_CASES, settings.EXPORT_MAX_BRIEFING_CASES)",
            EXPORT_MAX_CASES="50000",
            EXPORT_MAX_BRIEFING_CASES="30",
        )
        assert result.returncode == 0 and result.stdout.split() == ["50000", "30"], result.stderr
        refused = manage("check", EXPORT_MAX_CASES="0")
        assert refused.returncode != 0 and "EXPORT_MAX_CASES must be a positive whole number" in refused.stderr

    @pytest.mark.parametrize("url", ALL_URLS)
    def test_only_get_and_head_are_allowed(self, client, url):
        assert client.post(url).status_code == 405

    @pytest.mark.parametrize("url", ALL_URLS)
    def test_head_gives_the_files_headers_without_writing_it(self, client, url, monkeypatch):
        got = client.get(url, {"q": "融资"})
        monkeypatch.setattr(selection, "iter_cases", None)  # reading a case to write would fail
        head = client.head(url, {"q": "融资"})
        assert head.status_code == 200 and b"".join(head.streaming_content) == b""
        assert not head.has_header("Content-Length")  # not 0: the length is unknown until the file is written
        for header in ("Content-Type", "Content-Disposition"):
            assert head[header] == got[header]
        assert client.head(url, {"region": "nosuch"}).status_code == 400


class TestLoading:
    def test_cases_come_in_the_given_order_across_chunks(self, django_assert_num_queries):
        ids = pks(20, 1, 7, 3, 19, 2, 11)
        # Three queries per chunk of three (the cases, their regions and topics, their items), and the region
        # and topic names once (the content version, the regions, the topics).
        with django_assert_num_queries(3 * 3 + 3):
            cases = list(selection.iter_cases([*ids, 999999], chunk_size=3))
        assert [case.pk for case in cases] == ids

    def test_ranked_case_ids_matches_search_cases(self):
        hubei = list(Region.objects.filter(slug="hubei"))
        for q, regions in [("融资", hubei), ("融资", []), ("邮轮 区块链", []), ("", hubei), ("-邮轮", [])]:
            assert ranked_case_ids(SearchArguments(q=q, regions=tuple(regions)), limit=100) == search_ids(
                q=q, regions=regions
            )
        assert len(ranked_case_ids(SearchArguments(), limit=5)) == 5
        assert ranked_case_ids(SearchArguments(q="融资"), limit=2) == search_ids(q="融资")[:2]


def test_the_search_page_links_to_the_exports_with_its_parameters(client):
    html = client.get(reverse("search:search"), {"q": "融资", "region": "hubei", "page": 1}).content.decode()
    query = "?q=%E8%9E%8D%E8%B5%84&amp;region=hubei"
    for url in ALL_URLS:
        assert f'href="{url}{query}"' in html
    assert "导出：" in html and "Word 简报" in html


def test_the_search_page_says_when_its_results_are_over_an_export_cap(client, settings):
    # A download link that can only fail would save the refusal as a file (or nothing): the page says it instead.
    settings.EXPORT_MAX_BRIEFING_CASES = 5
    financing = client.get(reverse("search:search"), {"q": "融资"}).content.decode()
    assert 'href="' + XLSX in financing and 'href="' + DOCX not in financing
    assert "Word 简报（最多 5 个案例，请缩小范围）" in financing
    settings.EXPORT_MAX_CASES = 19
    everything = client.get(reverse("search:search")).content.decode()
    assert "结果超过 19 个案例，不能一次导出；请用检索词、地区或主题缩小范围。" in everything
    assert not any(f'href="{url}' in everything for url in ALL_URLS)
    narrowed = client.get(reverse("search:search"), {"region": "hubei"}).content.decode()
    assert 'href="' + CSV in narrowed and 'href="' + DOCX in narrowed
