"""The pages policy staff read: home, case list, case page."""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from cases.tests.test_browse import no_inline_style_or_script

pytestmark = pytest.mark.django_db


def test_home_has_the_search_box_collections_regions_and_topics(client):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert "服务贸易创新发展试点最佳实践案例（2020）" in html and "20 个案例" in html
    assert "?region=chongqing" in html and "?topic=finance" in html


@pytest.mark.parametrize(
    ("path", "current", "state"),
    [
        ("/regions/", "地区", "page"),
        ("/regions/hubei/", "地区", "true"),
        ("/topics/", "主题", "page"),
        ("/search/", "检索", "page"),
    ],
)
def test_the_main_navigation_marks_where_the_reader_is(client, path, current, state):
    html = client.get(path).content.decode()
    assert html.startswith('<!doctype html>\n<html lang="zh-CN">')
    nav = html[html.index('aria-label="主导航"') : html.index("</nav>")]
    marked = re.findall(r'aria-current="(\w+)">([^<]+)</a>', nav)
    assert marked == [(state, current)]


def test_the_search_page_lets_the_keyboard_skip_the_filters_to_a_results_heading(client):
    html = client.get(reverse("search:search"), {"q": "融资"}).content.decode()
    assert html.index('href="#results">跳过筛选，直达检索结果</a>') < html.index('<h2 class="facet-title">地区</h2>')
    assert '<section class="results" id="results" tabindex="-1" aria-labelledby="results-title">' in html
    assert '<h2 id="results-title" class="visually-hidden">检索结果</h2>' in html


def test_case_list_shows_every_case_in_order(client):
    html = client.get(reverse("cases:case_list")).content.decode()
    assert "共 <strong>20</strong> 个案例" in html
    positions = [html.index(case.title) for case in Case.objects.order_by("number")]
    assert positions == sorted(positions)


def test_case_page_shows_the_whole_case_in_document_order(client):
    case = Case.objects.get(number=1)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "<h1" in html and case.title in html
    assert "（海南省提供）" in html
    assert "海南省" in html
    markers = [
        "高层次、国际化人才的培养和引进",
        "一、主要做法",
        "（一）明确适合聘用外国人才的工作岗位。",
        "（四）采取灵活多样的薪酬分配方式。",
        "二、实践效果",
        "（三）加速了海南人才国际化进程。",
        "三、下一步工作思路",
        "（三）大力转变招聘模式。",
        "将“坐等上门”变为“登门揽才”。",
    ]
    positions = [html.index(marker) for marker in markers]
    assert positions == sorted(positions)


def test_unnumbered_paragraphs_show_without_numerals(client):
    html = client.get(Case.objects.get(number=14).get_absolute_url()).content.decode()
    section = html[html.index("一、主要做法") : html.index("二、实践效果")]
    assert "（一）" not in section and "枢纽设施链模块。" in section


def test_an_outcome_stated_in_one_sentence_keeps_its_numeral_and_is_not_bold(client):
    html = client.get(Case.objects.get(number=13).get_absolute_url()).content.decode()
    section = html[html.index("二、实践效果") : html.index("三、下一步工作思路")]
    assert "<h3" not in section
    assert "<p>（一）开立“铁路提单国际信用证”，并实现批量化运用，截至2020年7月" in section
    assert "<p>（三）全国首例铁路提单物权纠纷案公开宣判" in section
    # The next steps keep their short headings.
    assert '<h3 class="item-heading">（一）创新市场化运用。</h3>' in html


def test_unknown_case_is_404(client):
    assert client.get("/cases/99999/").status_code == 404


def test_a_missing_page_keeps_the_site_navigation_a_search_box_and_a_way_home(client):
    for url in ["/no-such-page/", "/cases/99999/", "/regions/atlantis/"]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert '<h1 class="page-title">页面不存在</h1>' in html
        nav = html[html.index('<nav aria-label="主导航">') : html.index("</nav>")]
        for name in ["cases:case_list", "search:search", "regions:region_list", "cases:topic_list"]:
            assert f'href="{reverse(name)}"' in nav
        assert '<form class="search-box" role="search" action="/search/" method="get">' in html
        assert 'class="site-name" href="/"' in html and '回到<a href="/">首页</a>' in html
        assert no_inline_style_or_script(html)


def test_pages_link_the_site_icon_and_favicon_ico_leads_to_it(client):
    icon = '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/").content.decode()
    assert icon in client.get("/no-such-page/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/img/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    svg = client.get(response["Location"])
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(svg.streaming_content)


def test_case_page_query_count_is_fixed(client, django_assert_num_queries):
    case = Case.objects.get(number=17)
    # The content version; the case; its regions and topics (one query); its items; its related cases; the
    # previous and the next case (one query). The collections and the labels (the regions' and topics' names)
    # are read once per content version: three queries.
    with django_assert_num_queries(6 + 3):
        client.get(case.get_absolute_url())


def test_a_draft_is_hidden_from_the_public_and_shown_to_staff_with_a_banner(client, admin_client):
    case = Case.objects.get(number=2)
    case.status = Case.Status.DRAFT
    case.save()
    assert client.get(case.get_absolute_url()).status_code == 404
    html = admin_client.get(case.get_absolute_url()).content.decode()
    assert "草稿：此案例尚未发布" in html
    listing = client.get(reverse("cases:case_list")).content.decode()
    assert case.title not in listing and "共 <strong>19</strong> 个案例" in listing
