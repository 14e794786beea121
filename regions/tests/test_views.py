"""Browsing by region: the tile-grid map with its table, and a region's page."""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from regions.models import Region
from regions.tilemap import COLUMNS, POSITIONS, ROWS, shade

pytestmark = pytest.mark.django_db


def titles(*numbers: int) -> list[str]:
    return [Case.objects.get(number=number).title for number in numbers]


def tile(html: str, slug: str) -> str:
    """The <a> tag of a province's tile."""
    match = re.search(rf'<a class="tile [^"]*" href="/regions/{slug}/">', html)
    assert match, slug
    return match.group(0)


def tile_position(html: str, slug: str) -> tuple[int, int]:
    """(row, column) of a province's tile on the page."""
    match = re.search(rf'<li class="row-(\d) col-(\d)"><a class="tile [^"]*" href="/regions/{slug}/">', html)
    assert match, slug
    return int(match.group(1)), int(match.group(2))


def test_there_are_34_province_level_divisions_in_code_order():
    provinces = list(Region.objects.provinces())
    assert len(provinces) == 34
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)
    assert [(p.code, p.name, p.short_name, p.slug) for p in provinces[-3:]] == [
        ("710000", "台湾省", "台湾", "taiwan"),
        ("810000", "香港特别行政区", "香港", "xianggang"),
        ("820000", "澳门特别行政区", "澳门", "aomen"),
    ]
    assert provinces[-4].slug == "xinjiang"


def test_every_province_has_its_own_square_on_the_map():
    provinces = set(Region.objects.provinces().values_list("slug", flat=True))
    assert len(provinces) == 34
    assert set(POSITIONS) == provinces
    assert len(set(POSITIONS.values())) == 34  # no two tiles on one square
    assert all(1 <= row <= ROWS and 1 <= column <= COLUMNS for row, column in POSITIONS.values())


def test_shades_step_by_one_case_up_to_four_or_more():
    assert [shade(count) for count in (0, 1, 2, 3, 4, 9)] == [0, 1, 2, 3, 4, 4]


def test_the_map_links_each_province_and_shades_it_by_its_cases(client):
    html = client.get(reverse("regions:region_list")).content.decode()
    assert html.count('<a class="tile tile-') == 34
    assert "tile-4" in tile(html, "zhejiang")  # Hangzhou's cases 6, 9, 17 and 19
    assert "tile-3" in tile(html, "chongqing")  # cases 7, 11 and 13 of the Liangjiang new area
    assert "tile-0" in tile(html, "xizang")
    assert '<li class="row-6 col-6"><a class="tile tile-4" href="/regions/zhejiang/">' in html
    assert '<span class="tile-name">浙江</span>' in html


def test_the_table_gives_the_same_counts_with_cities_and_new_areas(client):
    html = client.get(reverse("regions:region_list")).content.decode()
    table = html[html.index('<table class="data-table">') :]
    row = table[table.index('<a href="/regions/zhejiang/">浙江省</a>') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">4</td>' in row and '<a href="/regions/hangzhou/">杭州市</a> 4 个' in row
    assert '<a href="/regions/liangjiang/">重庆两江新区</a> 3 个' in table
    assert table.count('<th scope="row">') == 34
    names = re.findall(r'<th scope="row"><a href="/regions/[a-z]+/">([^<]+)</a></th>', table)
    assert names[-4:] == ["新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区"]


def test_the_map_places_taiwan_hong_kong_and_macao_in_their_places(client):
    html = client.get(reverse("regions:region_list")).content.decode()
    for slug, short_name in [("taiwan", "台湾"), ("xianggang", "香港"), ("aomen", "澳门")]:
        assert f'<span class="tile-name">{short_name}</span>' in html
        assert "tile-0" in tile(html, slug)
    fujian, taiwan = tile_position(html, "fujian"), tile_position(html, "taiwan")
    assert taiwan == (fujian[0], fujian[1] + 1)  # the next square east of 福建
    guangdong = tile_position(html, "guangdong")
    macao, hong_kong = tile_position(html, "aomen"), tile_position(html, "xianggang")
    assert macao == (guangdong[0] + 1, guangdong[1])  # just south of 广东
    assert hong_kong == (guangdong[0] + 1, guangdong[1] + 1)  # south of 广东, east of 澳门
    hainan = tile_position(html, "hainan")
    assert hainan[0] == guangdong[0] + 1 and hainan[1] < macao[1]


def test_taiwan_hong_kong_and_macao_have_their_pages(client):
    for slug, name in [("taiwan", "台湾省"), ("xianggang", "香港特别行政区"), ("aomen", "澳门特别行政区")]:
        html = client.get(reverse("regions:region_detail", args=[slug])).content.decode()
        assert f'<h1 class="page-title">{name}</h1>' in html
        assert "省级行政区。" in html
        assert f"本库暂无{name}提供的案例" in html


def test_region_pages_use_no_inline_style_or_script(client):
    for url in [reverse("regions:region_list"), reverse("regions:region_detail", args=["chongqing"])]:
        html = client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/selection.js" defer>']


def test_the_region_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(4):  # the content version, case counts (by region, by province), the regions
        assert client.get(reverse("regions:region_list")).status_code == 200


def test_a_province_lists_the_cases_of_its_cities_and_new_areas(client):
    html = client.get(reverse("regions:region_detail", args=["chongqing"])).content.decode()
    assert "<h1" in html and "重庆市" in html
    positions = [html.index(title) for title in titles(7, 11, 13)]
    assert positions == sorted(positions)
    assert html.count('<article class="case-card">') == 3
    assert '<a href="/regions/liangjiang/">重庆两江新区 <span class="count">3 个案例</span></a>' in html
    assert '<a href="/regions/">地区</a>' in html


def test_a_city_links_to_its_province(client):
    html = client.get(reverse("regions:region_detail", args=["hangzhou"])).content.decode()
    assert '<a href="/regions/zhejiang/">浙江省</a>' in html
    for title in titles(6, 9, 17, 19):
        assert title in html
    assert html.count('<article class="case-card">') == 4


def test_the_cases_of_a_region_can_be_added_to_the_selection(client):
    html = client.get(reverse("regions:region_detail", args=["chongqing"])).content.decode()
    case = Case.objects.get(number=13)
    form = html[html.index(f'id="select-{case.pk}"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("cases:selection_add")}"' in form
    assert f'<input type="hidden" name="case" value="{case.pk}">' in form
    assert "加入已选" in form
    assert html.count('class="selection-toggle"') == 3


def test_a_region_without_cases_says_so(client):
    html = client.get(reverse("regions:region_detail", args=["xizang"])).content.decode()
    assert "本库暂无西藏自治区提供的案例" in html
    assert 'class="case-card"' not in html


def test_an_unknown_region_is_404(client):
    assert client.get("/regions/atlantis/").status_code == 404
    assert client.get("/regions/%E9%87%8D%E5%BA%86/").status_code == 404


def test_a_region_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The content version, the regions and topics and the library's counts (both kept in the cache for the
    # pages that follow, until something changes), then a page of cases with their regions and topics (one
    # query).
    with django_assert_num_queries(6):
        client.get(reverse("regions:region_detail", args=["sichuan"]))
    with django_assert_num_queries(3):
        client.get(reverse("regions:region_detail", args=["hangzhou"]))
    with django_assert_num_queries(1):  # no case: no page to fetch, nor its regions and topics
        client.get(reverse("regions:region_detail", args=["xizang"]))


def test_a_change_is_counted_at_once(client):
    hangzhou = reverse("regions:region_detail", args=["hangzhou"])
    assert "本库收录 4 个案例" in client.get(hangzhou).content.decode()
    case = Case.objects.filter(regions__slug="hangzhou").order_by("number").first()
    case.status = Case.Status.DRAFT
    case.save()
    html = client.get(hangzhou).content.decode()
    assert "本库收录 3 个案例" in html and case.title not in html
    assert "浙江省" in client.get(reverse("regions:region_list")).content.decode()


def test_drafts_are_left_out_of_maps_and_lists(client):
    case = Case.objects.get(number=13)
    case.status = Case.Status.DRAFT
    case.save()
    html = client.get(reverse("regions:region_list")).content.decode()
    assert "tile-2" in tile(html, "chongqing")
    html = client.get(reverse("regions:region_detail", args=["chongqing"])).content.decode()
    assert case.title not in html and html.count('<article class="case-card">') == 2


def test_a_region_links_to_its_own_page():
    assert Region.objects.get(slug="chongqing").get_absolute_url() == "/regions/chongqing/"


def test_the_search_can_be_filtered_by_hong_kong(client):
    html = client.get(reverse("search:search"), {"region": "xianggang"}).content.decode()
    assert '<a href="?" aria-current="true" class="selected">香港特别行政区 <span class="count">0</span></a>' in html
    assert '<article class="case-card">' not in html
