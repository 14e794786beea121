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


def test_every_province_has_its_own_square_on_the_map():
    provinces = set(Region.objects.provinces().values_list("slug", flat=True))
    assert len(provinces) == 31
    assert set(POSITIONS) == provinces
    assert len(set(POSITIONS.values())) == 31  # no two tiles on one square
    assert all(1 <= row <= ROWS and 1 <= column <= COLUMNS for row, column in POSITIONS.values())


def test_shades_step_by_one_case_up_to_four_or_more():
    assert [shade(count) for count in (0, 1, 2, 3, 4, 9)] == [0, 1, 2, 3, 4, 4]


def test_the_map_links_each_province_and_shades_it_by_its_cases(client):
    html = client.get(reverse("regions:region_list")).content.decode()
    assert html.count('<a class="tile tile-') == 31
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
    assert table.count('<th scope="row">') == 31


def test_region_pages_use_no_inline_style_or_script(client):
    for url in [reverse("regions:region_list"), reverse("regions:region_detail", args=["chongqing"])]:
        html = client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/selection.js" defer>']


def test_the_region_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(3):  # case counts (by region, by province), the regions
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
    # The region, the cases with their regions and topics, the children, case counts twice.
    with django_assert_num_queries(7):
        client.get(reverse("regions:region_detail", args=["sichuan"]))
    with django_assert_num_queries(7):
        client.get(reverse("regions:region_detail", args=["hangzhou"]))
    with django_assert_num_queries(5):  # no case: no regions and topics to fetch
        client.get(reverse("regions:region_detail", args=["xizang"]))


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
