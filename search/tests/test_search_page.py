"""The search page and API: hostile input, facets, highlighting, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Topic
from regions.models import Region
from search.service import search_cases

pytestmark = pytest.mark.django_db

HOSTILE = [
    "'",
    '"',
    "\\",
    "&",
    "|",
    "!",
    "(",
    ")",
    ":*",
    "<->",
    "' \" \\ & | ! ( ) :* <->",
    "融资\x00武汉",
    "融" * 10_000,
    " ".join(["融资"] * 300),
    "🚢 邮轮 🚄",
    "ＲＯＵＴＥ ５Ｇ",
    "<script>alert(1)</script>",
    '"unclosed phrase',
    "-",
    "OR OR OR",
    "a:* & !b",
    "NEAR(融资 武汉)",
    "融资 OR",
    "%_%",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail_and_stay_escaped(client, q):
    page = client.get(reverse("search:search"), {"q": q})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    if q == "<script>alert(1)</script>":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # echoed, escaped
    api = client.get(reverse("api:case_list"), {"q": q})
    assert api.status_code == 200
    assert "<script>" not in api.content.decode()


def test_an_empty_or_punctuation_query_is_the_browse_view(client):
    for q in ["", "   ", "，。！？"]:
        html = client.get(reverse("search:search"), {"q": q}).content.decode()
        assert "共 <strong>20</strong> 个案例" in html


def test_results_show_count_highlight_and_section(client):
    html = client.get(reverse("search:search"), {"q": "铁路提单"}).content.decode()
    assert "共 <strong>1</strong> 个案例" in html
    assert "<mark>铁路提单</mark>" in html
    assert '<span class="snippet-section">' in html


def test_highlighting_escapes_the_text_before_marking():
    case_hits = search_cases(q="融资").hits
    assert len(case_hits) == 10
    assert all(any("<mark>融资</mark>" in passage.html for passage in hit.passages) for hit in case_hits[:5])
    for hit in case_hits:
        for passage in hit.passages:
            text = str(passage.html).replace("<mark>", "").replace("</mark>", "")
            assert "<" not in text


def test_traditional_query_marks_the_simplified_text():
    [hit] = search_cases(q="鐵路提單").hits
    assert "<mark>铁路提单</mark>" in hit.passages[0].html


def test_fallback_is_announced_on_the_page(client):
    html = client.get(reverse("search:search"), {"q": "邮轮 区块链"}).content.decode()
    assert "没有同时包含所有检索词的案例" in html


def test_empty_state_helps(client):
    html = client.get(reverse("search:search"), {"q": "量子纠缠"}).content.decode()
    assert "没有找到符合条件的案例" in html and "浏览全部案例" in html


def test_pagination_keeps_every_parameter(client, settings):
    settings.PAGE_SIZE = 2
    params = {"q": "服务", "topic": ["finance", "talent"], "region": "hubei", "sort": "number"}
    html = client.get(reverse("search:search"), params).content.decode()
    next_link = next(line for line in html.splitlines() if 'rel="next"' in line)
    for part in ["q=%E6%9C%8D%E5%8A%A1", "topic=finance", "topic=talent", "region=hubei", "sort=number", "page=2"]:
        assert part in next_link


def test_a_bad_page_is_404(client):
    assert client.get(reverse("search:search"), {"page": "x"}).status_code == 404
    assert client.get(reverse("search:search"), {"page": "50"}).status_code == 404


def test_an_unknown_region_is_reported_and_ignored(client):
    html = client.get(reverse("search:search"), {"region": "atlantis"}).content.decode()
    assert "没有标识为“atlantis”的地区" in html and "共 <strong>20</strong> 个案例" in html


def facet_counts(results, family):
    values = results.region_facet if family == "region" else results.topic_facet
    flat = []
    for value in values:
        flat.append(value)
        flat.extend(value.children)
    return {value.slug: value.count for value in flat}


@pytest.mark.parametrize("q", ["", "融资", "服务", "人才 OR 物流"])
def test_facet_counts_equal_the_counts_of_applying_the_filter(q):
    results = search_cases(q=q)
    assert results.count > 0 and facet_counts(results, "region") and facet_counts(results, "topic")
    for slug, count in facet_counts(results, "region").items():
        assert search_cases(q=q, regions=[Region.objects.get(slug=slug)]).count == count, slug
    for slug, count in facet_counts(results, "topic").items():
        assert search_cases(q=q, topics=[Topic.objects.get(slug=slug)]).count == count, slug


def test_facets_are_disjunctive_within_a_family_and_conjunctive_across():
    hubei = Region.objects.get(slug="hubei")
    finance = Topic.objects.get(slug="finance")
    unfiltered = facet_counts(search_cases(q="融资"), "region")
    in_hubei = search_cases(q="融资", regions=[hubei])
    # The region counts do not shrink when a region is chosen: another province widens the result.
    assert facet_counts(in_hubei, "region") == unfiltered
    # The topic counts do follow the region filter.
    assert facet_counts(in_hubei, "topic")["finance"] == search_cases(q="融资", regions=[hubei], topics=[finance]).count
    zhejiang = Region.objects.get(slug="zhejiang")
    two = {hit.case.number for hit in search_cases(q="融资", regions=[hubei, zhejiang], page_size=50).hits}
    each = [
        {hit.case.number for hit in search_cases(q="融资", regions=[r], page_size=50).hits} for r in (hubei, zhejiang)
    ]
    assert each == [{4, 17, 20}, {17, 19}]  # case 17 is provided by Hangzhou and Wuhan among others
    assert two == each[0] | each[1]


def test_the_search_page_runs_a_fixed_number_of_queries(client):
    client.get(reverse("search:search"))  # region and topic names are read once per content version
    counts = []
    for q in ["服务", "铁路提单", "量子纠缠", "服务 人才"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("search:search"), {"q": q, "topic": "finance"}).status_code == 200
        counts.append(len(queries))
    # Topic validation, the count and both facets in one grouped query, the page of ids, the
    # cases, their regions and topics, their items. PostgreSQL adds its planner setting, set
    # and restored, and the savepoint around it. A compound (铁路提单) adds the look-up of
    # whether the index holds it whole; two words add the count of the cases with either and
    # the page of those with only one.
    expected = 6 + (4 if connection.vendor == "postgresql" else 0)
    assert counts[0] == expected, counts
    assert counts[1] == expected + 1, counts
    assert counts[3] == expected + 2, counts
    assert counts[2] < expected  # no result: nothing to fetch


def test_the_browse_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    client.get(reverse("search:search"))  # region and topic names are read once per content version
    # The counts and facets in one grouped query, the page of ids, the cases, their regions
    # and topics; the region filter adds its validation.
    with django_assert_num_queries(4):
        client.get(reverse("cases:case_list"))
    with django_assert_num_queries(5):
        client.get(reverse("cases:case_list"), {"region": "zhejiang"})


def test_a_ticked_city_without_matches_stays_visible_under_its_province():
    results = search_cases(q="邮轮", regions=[Region.objects.get(slug="wuhan")])
    assert results.count == 0
    (hubei,) = [value for value in results.region_facet if value.slug == "hubei"]
    assert [(child.slug, child.count, child.selected) for child in hubei.children] == [("wuhan", 0, True)]


def test_a_case_not_indexed_yet_is_listed_without_labels(client):
    from cases.models import Case
    from search.models import SearchDocument

    SearchDocument.objects.filter(case__number=3).delete()  # as after a restore, before reindex
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert Case.objects.get(number=3).title in response.content.decode()
