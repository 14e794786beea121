"""Browsing pages: the case page's related cases and citation, topics, comparison, home."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.compare import parse_selection
from cases.models import Case, CaseItem, Topic
from search.index.indexing import bulk
from search.models import RelatedCase as StoredRelatedCase
from search.related import neighbours, related_cases

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 150 * 1024


def case(number: int) -> Case:
    return Case.objects.get(number=number)


def compare_url(*numbers: int) -> str:
    return reverse("cases:compare") + "?" + "&".join(f"case={case(number).pk}" for number in numbers)


def no_inline_style_or_script(html: str) -> bool:
    """No style attribute or element, and no script but empty elements loading a static file (all the CSP allows)."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    return (
        "style=" not in html
        and "<style" not in html
        and html.count("<script") == len(scripts)
        and all(re.search(r'\bsrc="/static/', attributes) and not body.strip() for attributes, body in scripts)
    )


# Related cases


def test_related_cases_of_case_13_share_topics_and_words():
    related = related_cases(case(13))
    assert 1 <= len(related) <= 5
    by_number = {item.case.number: item for item in related}
    assert {11, 12} & set(by_number)
    assert by_number[11].topics == ("金融服务", "物流运输")
    assert by_number[11].reason.startswith("同属主题：金融服务、物流运输；内容相近：")
    assert "提单" in by_number[11].words
    assert [item.score for item in related] == sorted((item.score for item in related), reverse=True)
    assert 13 not in by_number


def test_related_cases_read_like_the_reasons_a_person_would_give():
    by_number = {item.case.number: item for item in related_cases(case(20))}
    assert by_number[19].reason.startswith("同属主题：金融服务")
    assert "贷款" in by_number[19].words or "中小微企业" in by_number[19].words
    # A word inside a longer shared word is not shown again (账款 of 应收账款).
    for item in by_number.values():
        assert not any(word != other and word in other for word in item.words for other in item.words)


def test_related_cases_leave_out_drafts_and_respect_the_limit():
    draft = case(11)
    draft.status = Case.Status.DRAFT
    draft.save()
    related = related_cases(case(13), limit=2)
    assert len(related) == 2
    assert 11 not in {item.case.number for item in related_cases(case(13))}


def test_related_cases_are_stored_for_every_case_and_read_in_rank_order():
    for number in (1, 13, 20):
        rows = list(StoredRelatedCase.objects.filter(case=case(number)).order_by("rank"))
        assert 1 <= len(rows) <= 5
        assert [row.rank for row in rows] == list(range(1, len(rows) + 1))
        assert [row.score for row in rows] == sorted((row.score for row in rows), reverse=True)


def test_a_deleted_case_disappears_from_the_other_cases_lists():
    railway = case(11)
    assert 11 in {item.case.number for item in related_cases(case(13))}
    railway.delete()
    assert 11 not in {item.case.number for item in related_cases(case(13))}
    assert not StoredRelatedCase.objects.filter(related_id=railway.pk).exists()
    assert len(related_cases(case(13))) >= 1


def test_a_case_published_again_enters_the_lists_of_the_cases_it_relates_to():
    railway = case(11)
    railway.status = Case.Status.DRAFT
    railway.save()
    assert not StoredRelatedCase.objects.filter(related=railway).exists()
    railway.status = Case.Status.PUBLISHED
    railway.save()
    assert 11 in {item.case.number for item in related_cases(case(13))}
    assert by_number_reason(13, 11).startswith("同属主题：金融服务、物流运输；内容相近：")


def by_number_reason(number: int, other: int) -> str:
    return next(item.reason for item in related_cases(case(number)) if item.case.number == other)


def test_the_neighbours_in_the_collection():
    assert [n.number if n else None for n in neighbours(case(13))] == [12, 14]
    assert [n.number if n else None for n in neighbours(case(1))] == [None, 2]
    assert [n.number if n else None for n in neighbours(case(20))] == [19, None]


def test_neighbours_skip_drafts():
    draft = case(12)
    draft.status = Case.Status.DRAFT
    draft.save()
    previous, _ = neighbours(case(13))
    assert previous.number == 11


# Case page


def test_the_case_page_shows_related_cases_with_their_reasons(client):
    html = client.get(case(13).get_absolute_url()).content.decode()
    related = html[html.index('id="related-title"') :]
    assert "相关案例" in related
    assert f'<a class="related-title" href="{case(11).get_absolute_url()}">11．{case(11).title}</a>' in related
    assert "同属主题：金融服务、物流运输" in related


def test_the_case_page_links_to_the_previous_and_next_case(client):
    html = client.get(case(13).get_absolute_url()).content.decode()
    assert f'<a href="{case(12).get_absolute_url()}" rel="prev">' in html
    assert f'<a href="{case(14).get_absolute_url()}" rel="next">' in html
    first = client.get(case(1).get_absolute_url()).content.decode()
    assert 'rel="prev"' not in first and f'<a href="{case(2).get_absolute_url()}" rel="next">' in first


def test_the_case_page_shows_a_permalink_and_a_gb_t_7714_citation(client):
    html = client.get(case(13).get_absolute_url()).content.decode()
    permalink = f"http://testserver/cases/{case(13).pk}/"
    assert f'<a href="{permalink}">{permalink}</a>' in html
    today = timezone.localdate().isoformat()
    assert "引用格式依 GB/T 7714—2015《信息与文献 参考文献著录规则》。" in html
    assert (
        '<dd class="citation">重庆两江新区. 创新铁路提单交易模式和规则[EB/OL]//商务部. '
        f"服务贸易创新发展试点最佳实践案例（2020）. 2020[{today}]. {permalink}.</dd>"
    ) in html
    assert f'<a href="/cases/{case(13).pk}/cite.ris" type="application/x-research-info-systems" download>' in html


def test_a_citation_names_at_most_three_providers_then_et_al():
    accessed = datetime.date(2026, 11, 30)
    assert case(8).citation(url="https://example.org/c/8/", accessed=accessed) == (
        "上海市, 天津市. 积极推进邮轮服务贸易新业态发展[EB/OL]//商务部. "
        "服务贸易创新发展试点最佳实践案例（2020）. 2020[2026-11-30]. https://example.org/c/8/."
    )
    # 杭州市、武汉市、成都市等试点地区提供: three named of more
    cited = case(17).citation(url="u", accessed=accessed)
    assert cited.startswith("杭州市, 武汉市, 成都市, 等. 创新服务贸易国际化人才服务机制[EB/OL]//")


def test_a_citation_leaves_out_an_issuer_or_year_the_collection_lacks():
    collection = case(1).collection
    collection.issuer, collection.year = "", None
    collection.save()
    assert case(1).citation(url="u", accessed=datetime.date(2026, 11, 30)) == (
        "海南省. 优化事业单位对外籍人员的管理和服务[EB/OL]//服务贸易创新发展试点最佳实践案例（2020）. [2026-11-30]. u."
    )


def ris_fields(response) -> list[tuple[str, str]]:
    """The (tag, value) pairs of an RIS file, each line checked for the ``TAG  - value`` form."""
    lines = response.content.decode().split("\r\n")
    assert lines[-1] == ""  # the last line ends too
    fields = []
    for line in lines[:-1]:
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
        fields.append((line[:2], line[6:]))
    return fields


def test_a_case_downloads_as_an_ris_record_for_reference_managers(client):
    target = case(8)
    response = client.get(reverse("cases:case_ris", args=[target.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert response["Content-Disposition"] == f'attachment; filename="case-{target.pk}.ris"'
    fields = ris_fields(response)
    assert fields[0] == ("TY", "ELEC") and fields[-1] == ("ER", "")
    values = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
    assert values["TI"] == ["积极推进邮轮服务贸易新业态发展"]
    assert values["AU"] == ["上海市", "天津市"]
    assert values["T2"] == ["服务贸易创新发展试点最佳实践案例（2020）"]
    assert values["PB"] == ["商务部"] and values["PY"] == ["2020"]
    assert values["UR"] == [f"http://testserver/cases/{target.pk}/"]
    assert values["Y2"] == [timezone.localdate().strftime("%Y/%m/%d")]
    assert values["AB"][0].startswith(target.summary[:20]) and "\n" not in values["AB"][0]
    assert set(values["KW"]) == set(target.topics.values_list("name", flat=True))


def test_a_missing_or_draft_case_has_no_ris_record(client):
    assert client.get("/cases/999999/cite.ris").status_code == 404
    draft = case(13)
    draft.status = Case.Status.DRAFT
    draft.save()
    assert client.get(reverse("cases:case_ris", args=[draft.pk])).status_code == 404


def test_the_case_page_links_its_regions_and_topics_to_their_pages(client):
    html = client.get(case(13).get_absolute_url()).content.decode()
    assert '<a class="tag tag-region" href="/regions/liangjiang/">重庆两江新区</a>' in html
    assert '<a class="tag" href="/topics/finance/">金融服务</a>' in html


def test_the_case_page_offers_to_compare_with_related_cases(client):
    target = case(13)
    html = client.get(target.get_absolute_url()).content.decode()
    form = html[html.index('<form class="compare-form"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("cases:compare")}" method="get"' in form
    assert f'<input type="hidden" name="case" value="{target.pk}">' in form
    boxes = re.findall(r'<input type="checkbox" id="compare-(\d+)" name="case" value="\d+"( checked)?>', form)
    assert 1 <= len(boxes) <= 5
    assert not any(checked for _, checked in boxes)  # nothing is chosen for the reader
    assert "checked" not in form
    for pk, _ in boxes:
        assert f'<label for="compare-{pk}">' in form
    assert "比较所选案例" in form


def test_the_case_page_has_a_print_stylesheet_for_a4(client, settings):
    html = client.get(case(13).get_absolute_url()).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    css = (settings.BASE_DIR / "static" / "css" / "print.css").read_text()
    assert "@page" in css and "size: A4" in css
    assert ".site-header" in css and ".facets" in css and "button" in css
    assert no_inline_style_or_script(html)


def test_each_paragraph_of_an_item_is_a_paragraph_of_its_own(client):
    # Case 5's first measure has three paragraphs under its heading; each is indented as printed.
    paragraphs = ["大胆创新园区用地性质。", "高标准定位园区规划设计。", "市场化推进园区开发运营。"]
    for url in (case(5).get_absolute_url(), compare_url(5, 6)):
        html = client.get(url).content.decode()
        assert all(f"<p>{start}" in html for start in paragraphs)
        assert "<br>" not in html


def test_the_case_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The content version, the case, its regions and topics (one query), its items, its stored related cases,
    # the previous and the next case (one query). The collections and the labels (the regions' and topics'
    # names) are read once per content version.
    first, *others = [case(number).get_absolute_url() for number in (1, 2, 13, 20)]
    with django_assert_num_queries(6 + 3):
        assert client.get(first).status_code == 200
    for url in others:
        with django_assert_num_queries(6):
            assert client.get(url).status_code == 200


def add_copies(count: int, status: str = Case.Status.PUBLISHED) -> None:
    """Copies of the twenty cases, with their topics and items, indexed as an import would."""
    originals = list(Case.objects.prefetch_related("items", "topics", "regions").order_by("number"))
    with bulk():
        for n in range(count):
            original = originals[n % len(originals)]
            copy = Case.objects.create(
                collection=original.collection,
                number=100 + n,
                title=f"{original.title}（副本 {n}）",
                provider=original.provider,
                summary=original.summary,
                status=status,
            )
            copy.regions.set(original.regions.all())
            copy.topics.set(original.topics.all())
            CaseItem.objects.bulk_create(
                CaseItem(case=copy, section=i.section, position=i.position, heading=i.heading, body=i.body)
                for i in original.items.all()
            )


def test_the_case_page_costs_the_same_in_a_larger_library(client):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    url = case(13).get_absolute_url()
    before = queries(url)
    add_copies(50)
    assert Case.objects.count() == 70
    assert queries(url) == before
    # The copy of case 13 is now the case most like it.
    assert related_cases(case(13))[0].case.title == f"{case(13).title}（副本 12）"


def test_a_draft_never_appears_among_related_cases(admin_client):
    add_copies(20, status=Case.Status.DRAFT)
    for number in (1, 13, 20):
        assert all(item.case.status == Case.Status.PUBLISHED for item in related_cases(case(number)))
    assert not StoredRelatedCase.objects.filter(related__status=Case.Status.DRAFT).exists()
    # A draft's own page (for staff) still lists the published cases like it, its original first.
    draft = Case.objects.get(number=112)
    assert related_cases(draft)[0].case == case(13)
    assert "相关案例" in admin_client.get(draft.get_absolute_url()).content.decode()


def test_a_missing_case_is_404_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the content version, the case
        assert client.get("/cases/99999/").status_code == 404


def test_a_case_id_too_large_for_the_database_is_404(client):
    assert client.get("/cases/99999999999999999999999/").status_code == 404


def test_staff_see_related_cases_of_a_draft(admin_client):
    draft = case(13)
    draft.status = Case.Status.DRAFT
    draft.save()
    html = admin_client.get(draft.get_absolute_url()).content.decode()
    assert "草稿：此案例尚未发布" in html and "相关案例" in html


# Topics


def test_the_topic_list_shows_every_topic_with_its_count_and_description(client):
    html = client.get(reverse("cases:topic_list")).content.decode()
    for topic in Topic.objects.all():
        assert f'<a href="/topics/{topic.slug}/">{topic.name}</a>' in html
        assert topic.description in html
    assert '<a href="/topics/finance/">金融服务</a> <span class="count">7 个案例</span>' in html
    assert no_inline_style_or_script(html)


def test_the_topic_list_counts_the_library_once_per_change(client, django_assert_num_queries):
    # The content version, the regions and topics, the library's counts (kept in the cache until something changes).
    with django_assert_num_queries(4):
        html = client.get(reverse("cases:topic_list")).content.decode()
    assert '<a href="/topics/finance/">金融服务</a> <span class="count">7 个案例</span>' in html
    case = Case.objects.filter(topics__slug="finance").order_by("number").first()
    case.status = Case.Status.DRAFT
    case.save()
    html = client.get(reverse("cases:topic_list")).content.decode()
    assert '<a href="/topics/finance/">金融服务</a> <span class="count">6 个案例</span>' in html
    html = client.get(reverse("cases:topic_detail", args=["finance"])).content.decode()
    assert "案例（6 个）" in html and case.title not in html


def test_a_topic_page_lists_its_cases_under_its_description(client):
    finance = Topic.objects.get(slug="finance")
    html = client.get(finance.get_absolute_url()).content.decode()
    assert finance.get_absolute_url() == "/topics/finance/"
    assert "<h1" in html and finance.description in html
    assert "案例（7 个）" in html
    numbers = [4, 10, 11, 13, 18, 19, 20]
    positions = [html.index(case(number).title) for number in numbers]
    assert positions == sorted(positions)
    assert html.count('<article class="case-card">') == 7
    assert case(1).title not in html
    assert '<a href="/topics/">主题</a>' in html
    assert no_inline_style_or_script(html)


def test_a_topic_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The content version, the regions and topics and the library's counts (both kept in the cache for the
    # pages that follow, until something changes), then a page of cases with their regions and topics (one
    # query).
    with django_assert_num_queries(6):
        client.get(reverse("cases:topic_detail", args=["finance"]))
    with django_assert_num_queries(3):
        client.get(reverse("cases:topic_detail", args=["healthcare"]))


def test_an_unknown_topic_is_404(client):
    assert client.get("/topics/astrology/").status_code == 404


# Compare


def test_cases_are_compared_side_by_side_section_by_section(client):
    response = client.get(compare_url(13, 11, 12))
    assert response.status_code == 200
    html = response.content.decode()
    headers = re.findall(r'<th scope="col">\s*<a href="/cases/(\d+)/">', html)
    assert headers == [str(case(n).pk) for n in (13, 11, 12)]
    rows = re.findall(r'<th scope="row">(.+?)</th>', html)
    assert rows == ["导语", "主要做法", "实践效果", "下一步工作思路"]
    assert "创设铁路提单的物权属性" in html and "创新铁海联运模式" in html
    assert 'class="compare-scroll" role="region"' in html and 'tabindex="0"' in html
    assert no_inline_style_or_script(html)


def test_the_comparison_url_is_shown_to_share_and_each_case_can_be_removed(client):
    html = client.get(compare_url(13, 11, 12)).content.decode()
    assert f"http://testserver/compare/?case={case(13).pk}&amp;case={case(11).pk}&amp;case={case(12).pk}" in html
    assert f'href="/compare/?case={case(11).pk}&amp;case={case(12).pk}">移出比较' in html
    two = client.get(compare_url(13, 11)).content.decode()
    assert "移出比较" not in two  # fewer than two would leave nothing to compare


def test_a_comparison_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for url in [compare_url(1, 2), compare_url(13, 11, 12, 4)]:
        with django_assert_num_queries(3):  # the content version, the cases with their collection, their items
            assert client.get(url).status_code == 200


def test_compare_without_cases_explains_how_to_choose(client):
    response = client.get(reverse("cases:compare"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "如何选择案例" in html and 'role="alert"' not in html
    assert html.count('type="checkbox"') == 20
    assert f'<label for="choose-{case(13).pk}">13．{case(13).title}</label>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("case=13", "只选择了 1 个案例"),
        ("case=13&case=13", "只选择了 1 个案例"),
        ("case=", "没有选择案例"),
        ("case=1&case=2&case=3&case=4&case=5", "一次最多比较 4 个"),
        ("case=abc&case=1", "“abc” 不是有效的案例标识"),
        ("case=-1&case=1", "不是有效的案例标识"),
        ("case=1.5&case=1", "不是有效的案例标识"),
        ("case=99999999999999999999999999&case=1", "不是有效的案例标识"),
        ("case=%00&case=1", "不是有效的案例标识"),
        ("case=1&case=99999", "没有找到标识为 99999 的已发布案例"),
        ("case=1&case=999999999999999999", "没有找到标识为 999999999999999999 的已发布案例"),
    ],
)
def test_a_comparison_that_cannot_be_made_gets_a_friendly_page(client, query, message):
    response = client.get(reverse("cases:compare") + "?" + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    assert "比较所选案例" in html and "如何选择案例" in html


def test_the_friendly_page_keeps_the_valid_choices_ticked(client):
    html = client.get(compare_url(13)).content.decode()
    pk = case(13).pk
    assert f'<input type="checkbox" id="choose-{pk}" name="case" value="{pk}" checked>' in html


def test_a_draft_cannot_be_compared(client):
    draft = case(11)
    draft.status = Case.Status.DRAFT
    draft.save()
    response = client.get(compare_url(13, 11))
    assert response.status_code == 400 and "没有找到标识为" in response.content.decode()


def test_the_friendly_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    client.get(reverse("cases:compare"))  # the library's counts are read once per content version
    with django_assert_num_queries(2):  # the content version, the page of cases to choose from
        client.get(reverse("cases:compare") + "?case=1")
    # The content version, looking the ids up, the cases to choose from, the ticked ones not among them.
    with django_assert_num_queries(4):
        client.get(reverse("cases:compare") + "?case=1&case=99999")


def test_the_cases_to_choose_from_come_a_page_at_a_time_keeping_the_ticks(client, monkeypatch):
    monkeypatch.setattr("cases.views.CHOICES_PER_PAGE", 8)
    pk = case(13).pk  # on the second page
    html = client.get(reverse("cases:compare") + f"?case={case(2).pk}&case={pk}&choose=1").content.decode()
    assert html.count('type="checkbox"') == 8 + 1 and "第 1 / 3 页" in html
    assert "已勾选（其他页的案例）" in html
    assert f'<input type="checkbox" id="choose-{pk}" name="case" value="{pk}" checked>' in html
    assert f'<input type="checkbox" id="choose-{case(2).pk}" name="case" value="{case(2).pk}" checked>' in html
    assert '<button type="submit" class="button-small" name="page" value="2">下一页</button>' in html
    # The page buttons send the form: the ticked cases and the page, which keeps the form on screen.
    response = client.get(reverse("cases:compare"), {"case": [case(2).pk, pk], "page": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 2 / 3 页" in html and "已勾选（其他页的案例）" in html and "比较所选案例" in html
    assert html.count(f'id="choose-{pk}"') == 1 and html.count(f'id="choose-{case(2).pk}"') == 1
    assert "第 3 / 3 页" in client.get(reverse("cases:compare"), {"page": "9"}).content.decode()
    assert "第 1 / 3 页" in client.get(reverse("cases:compare"), {"page": "x"}).content.decode()
    # The compare button sends no page: the comparison itself.
    assert '<table class="compare-table cols-2">' in client.get(compare_url(2, 13)).content.decode()


def test_turning_the_chooser_s_page_with_one_case_ticked_is_no_error(client, monkeypatch):
    monkeypatch.setattr("cases.views.CHOICES_PER_PAGE", 8)
    ticked = case(1).pk  # ticked on page 1, then 下一页
    response = client.get(reverse("cases:compare"), {"case": [ticked], "page": "2"})
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' not in html
    assert f'<input type="checkbox" id="choose-{ticked}" name="case" value="{ticked}" checked>' in html
    assert "翻页时已勾选的案例会保留" in html
    # The compare button comes first in the form: Enter in it compares rather than turns the page.
    form = html[html.index('<form class="compare-form"') : html.index("</form>")]
    assert form.index("比较所选案例") < form.index('name="page"')
    # A choice that cannot be compared is still said to be one, on whichever page.
    too_many = {"case": [case(number).pk for number in (1, 2, 3, 4, 5)], "page": "2"}
    response = client.get(reverse("cases:compare"), too_many)
    assert response.status_code == 400 and "一次最多比较 4 个" in response.content.decode()


def test_parse_selection_keeps_the_order_and_drops_repeats():
    assert parse_selection(["13", "11", "13", " 12 "]).ids == [13, 11, 12]
    assert parse_selection([]).is_empty


def test_even_four_of_the_longest_cases_stay_within_the_page_budget(client, settings):
    longest = sorted(
        Case.objects.published().prefetch_related("items"),
        key=lambda c: -sum(len(item.heading) + len(item.body) for item in c.items.all()) - len(c.summary),
    )[:4]
    url = reverse("cases:compare") + "?" + "&".join(f"case={c.pk}" for c in longest)
    html = client.get(url).content
    css = settings.BASE_DIR / "static" / "css"
    assert len(html) + sum(path.stat().st_size for path in css.glob("*.css")) < PAGE_BUDGET


# Search results and home


def test_home_starts_with_the_search_box_and_links_regions_and_topics(client, django_assert_num_queries):
    # The content version, the collections with their counts, the regions and topics and the library's
    # counts (both kept in the cache for the pages that follow, until something changes).
    with django_assert_num_queries(5):
        html = client.get(reverse("cases:home")).content.decode()
    main = html[html.index("<main") :]
    assert main.index('role="search"') < main.index("案例集") < main.index("按地区浏览")
    assert "目前共 20 个案例" in main
    assert 'href="/regions/"' in main and 'href="/topics/"' in main
    nav = html[html.index('<nav aria-label="主导航">') : html.index("</nav>")]
    assert '<a href="/regions/">地区</a>' in nav and '<a href="/topics/">主题</a>' in nav
    assert no_inline_style_or_script(html)


@pytest.fixture
def forty_more_finance_cases_in_zhejiang():
    """40 more published cases about finance in Zhejiang, numbered 101–140."""
    from cases.models import Collection
    from regions.models import Region

    collection = Collection.objects.get(slug="service-trade-2020")
    finance, zhejiang = Topic.objects.get(slug="finance"), Region.objects.get(slug="zhejiang")
    for number in range(101, 141):
        added = Case.objects.create(
            collection=collection, number=number, title=f"新增案例{number}", provider="浙江省提供"
        )
        added.topics.add(finance)
        added.regions.add(zhejiang)


@pytest.mark.parametrize("path", ["/topics/finance/", "/regions/zhejiang/"])
def test_topic_and_region_pages_list_their_cases_a_page_at_a_time(client, forty_more_finance_cases_in_zhejiang, path):
    first = client.get(path)
    assert first.status_code == 200
    listed = re.findall(r'href="/cases/(\d+)/"', first.content.decode())
    assert 10 < len(set(listed)) <= 23  # one page, however many cases the library holds
    assert "第 1 / " in first.content.decode() and 'rel="next"' in first.content.decode()
    last_page = first.context["page_obj"].paginator.num_pages
    last = client.get(path, {"page": last_page})
    assert last.status_code == 200 and 'rel="prev"' in last.content.decode()
    assert first.context["case_count"] == last.context["case_count"] >= 44
    assert client.get(path, {"page": last_page + 1}).status_code == 404
    assert client.get(path, {"page": "x"}).status_code == 404
