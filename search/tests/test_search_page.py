"""The search page and API: hostile input, facets, highlighting, query counts."""

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Collection, Topic
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


@pytest.mark.parametrize("q", ["OR", "ＯＲ", "-", '""', "🚢", "，。！？"])
def test_a_query_with_nothing_to_search_says_so_above_the_whole_library(client, q):
    html = client.get(reverse("search:search"), {"q": q}).content.decode()
    assert "共 <strong>20</strong> 个案例" in html and "检索词中没有可以检索的字或词" in html
    api = client.get(reverse("api:case_list"), {"q": q}).json()
    assert api["count"] == 20 and any("没有可以检索的字或词" in notice for notice in api["notices"])
    assert "没有可以检索" not in client.get(reverse("search:search"), {"q": "  "}).content.decode()


def test_and_between_words_is_taken_as_the_space_it_stands_for():
    with_and, without = search_cases(q="融资 AND 武汉"), search_cases(q="融资 武汉")
    assert [hit.case.number for hit in with_and.hits] == [hit.case.number for hit in without.hits]
    assert with_and.all_word_count == without.all_word_count == 3


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
    assert "没有同时包含全部检索词的案例" in html


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


def test_the_links_of_a_page_with_values_left_out_repeat_only_what_was_understood(client):
    html = client.get(reverse("search:search"), {"q": "融资", "region": "atlantis", "sort": "bogus"}).content.decode()
    assert "没有标识为“atlantis”的地区。已忽略此条件。" in html
    assert "没有“bogus”这种排序方式，可以按相关度、案例编号、最新收录排序。已忽略此条件。" in html
    links = re.findall(r'href="([^"]*)"', html)
    assert not [link for link in links if "atlantis" in link or "bogus" in link]
    export = next(unescape(link) for link in links if link.startswith(reverse("export:cases_csv")))
    response = client.get(export)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.status_code == 200 and len(rows) == 1 + search_cases(q="融资").count


def test_a_topic_or_collection_added_in_the_admin_filters_at_once(client, admin_client):
    """The filters validate against the cached labels, which every change of labels renews."""
    search = reverse("search:search")
    client.get(search, {"topic": "finance"})  # the labels are cached
    admin_client.post(reverse("admin:cases_topic_add"), {"name": "海洋经济", "slug": "ocean", "position": 99})
    case = Case.objects.get(number=13)
    case.topics.add(Topic.objects.get(slug="ocean"))
    html = client.get(search, {"topic": "ocean"}).content.decode()
    assert "没有标识为" not in html and "共 <strong>1</strong> 个案例" in html
    collection = Collection.objects.create(slug="pilot-2021", title="第二批", year=2021)
    Case.objects.filter(number__in=[1, 2]).update(collection=collection)
    html = client.get(search, {"collection": ["pilot-2021", "pilot-2021"]}).content.decode()
    assert "没有标识为" not in html and "共 <strong>2</strong> 个案例" in html
    html = client.get(search, {"collection": ["pilot-2021", "nowhere"]}).content.decode()
    assert "没有标识为“nowhere”的案例集" in html and "共 <strong>20</strong> 个案例" in html


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


def facet_link(html: str, name: str) -> str:
    """The address of the facet entry named ``name`` on a results page."""
    found = re.search(rf'<a href="([^"]*)"[^>]*>{re.escape(name)} <span class="count">', html)
    assert found, name
    return unescape(found[1])


def test_ticking_a_city_under_its_ticked_province_narrows_to_the_city_and_back(client):
    search = reverse("search:search")
    province = client.get(search, {"region": "guangdong"}).content.decode()
    assert "共 <strong>2</strong> 个案例" in province
    city = facet_link(province, "深圳市")
    assert city == "?region=shenzhen"
    page = client.get(search + city).content.decode()
    assert "共 <strong>1</strong> 个案例" in page  # as the city's count promised
    assert facet_link(page, "广东省") == "?region=guangdong"  # ticking the province widens again
    assert facet_link(page, "深圳市") == "?"  # unticking the city: every case
    other = client.get(search, {"region": ["guangdong", "hubei"]}).content.decode()
    assert facet_link(other, "深圳市") == "?region=hubei&region=shenzhen"  # the other province stays


def test_the_search_page_runs_a_fixed_number_of_queries(client):
    # Region and topic names, the synonym table and the library's counts are read once per content version.
    client.get(reverse("search:search"), {"q": "融资"})
    client.get(reverse("search:search"))
    counts = []
    for q in ["服务", "铁路提单", "量子纠缠", "服务 人才", "跨境电商融资"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("search:search"), {"q": q, "topic": "finance"}).status_code == 200
        counts.append(len(queries))
    # The content version, the count and both facets in one grouped query, the page of ids, the cases with
    # their regions, topics and items (the topic is validated against the cached names). PostgreSQL adds
    # its planner setting, set and restored. A compound (铁路提单) adds the look-up of
    # whether the index holds it whole; two words add the count of the cases with either and
    # the page of those with only one. In a library this small, the cases with every word and those with
    # either are counted by the same statement: partial matches are listed whatever the first count. And a
    # page showing both kinds (one finance case has both 服务 and 人才, six one of them) ranks them in one.
    expected = 4 + (2 if connection.vendor == "postgresql" else 0)
    assert counts[0] == expected, counts
    assert counts[1] == expected + 1, counts
    assert counts[3] == expected, counts
    # No result: no page of cases to fetch, but the closest words of the index are looked up.
    assert counts[2] == expected + 2, counts
    # A compound (跨境电商) beside a word with synonyms (融资): whether the index holds the compound whole and
    # whether the word is in so many cases that its synonyms are left out are one look-up (no finance case
    # has both words: only the page of those with either is read). No case having both words, the words the
    # index lacks are looked up for "您是不是要找" (the word typed whole, 跨境电商融资, has no close one).
    assert counts[4] == expected + 3, counts


def test_a_library_of_partial_limit_cases_counts_all_word_and_partial_matches_apart(client, monkeypatch):
    """Past ``PARTIAL_LIMIT`` published cases, partial matches may not be listed: the all-word matches are
    counted first, on their own statement, and the page is the same."""
    url = reverse("search:search")
    client.get(url)  # the library's counts, read once per content version

    def page_and_counts(params: dict) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url, params).content.decode()
        return html, sum("GROUP BY" in query["sql"] for query in queries)

    small, small_counts = page_and_counts({"q": "服务 人才"})
    monkeypatch.setattr("search.service.PARTIAL_LIMIT", 20)  # as many as the library's published cases
    large, large_counts = page_and_counts({"q": "服务 人才", "sort": "relevance"})  # not the cached page
    assert (small_counts, large_counts) == (1, 2)
    assert "另有 <strong>" in small  # all-word and partial matches both listed
    assert len(_results_part(small)[2]) > 10
    assert _results_part(large) == _results_part(small)


def _results_part(html: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """The result count as the page states it, the cases listed, in order, and the facets' counts."""
    count = re.search(r'<p id="result-count"[^>]*>(.*?)</p>', html)[1]
    cases = re.findall(r'<h3 class="case-card-title"><a href="([^"]*)"', html)
    return count, cases, re.findall(r'>([^<>]+) <span class="count">(\d+)</span>', html)


def test_the_browse_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # Region and topic names, and the counts and facets of the whole library (one grouped query), are
    # read once per content version.
    client.get(reverse("search:search"))
    # The content version, the page of ids, the cases with their regions and topics; a region filter is
    # validated against the cached names and counted from the cached groups.
    with django_assert_num_queries(3):
        client.get(reverse("cases:case_list"))
    with django_assert_num_queries(3):
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


# Filters in sight: the heading, the chips and their remove links -------------------------------------

CHIP = re.compile(
    r'<a class="filter-chip" href="([^"]*)"[^>]*>'
    r'<span class="visually-hidden">去掉(\S+?)：</span><span class="filter-chip-label">(.*?)</span>'
)


def page_parts(client, path, params=None) -> dict:
    html = client.get(path, params or {}).content.decode()
    return {
        "html": html,
        "title": re.search(r"<title>(.*?)</title>", html).group(1),
        "h1": re.search(r'<h1 class="page-title">(.*?)</h1>', html).group(1),
        "count": int(re.search(r"共 <strong>(\d+)</strong> 个案例", html).group(1)),
        "chips": [(kind, label, unescape(href)) for href, kind, label in CHIP.findall(html)],
        "clear": [unescape(href) for href in re.findall(r'<a class="clear-filters" href="([^"]*)">清除全部</a>', html)],
    }


def test_a_region_filter_is_named_and_its_chip_leads_back_to_all_cases(client):
    page = page_parts(client, reverse("cases:case_list"), {"region": "zhejiang"})
    assert page["count"] == 4
    assert page["h1"] == "浙江省 · 4 个案例"
    assert page["title"] == "浙江省 · 4 个案例 - 试点最佳实践案例库"
    assert page["chips"] == [("地区", "浙江省", "/cases/")]
    everything = page_parts(client, page["chips"][0][2])
    assert everything["count"] == 20 and everything["h1"] == "全部案例" and not everything["chips"]


def test_a_query_is_named_in_quotes_before_the_region(client):
    page = page_parts(client, reverse("search:search"), {"q": "融资", "region": "hubei"})
    assert page["h1"] == f"“融资” · 湖北省 · {page['count']} 个案例"
    assert page["count"] == search_cases(q="融资", regions=[Region.objects.get(slug="hubei")]).count > 0
    assert [(kind, label) for kind, label, _ in page["chips"]] == [("检索词", "“融资”"), ("地区", "湖北省")]


@pytest.mark.parametrize("q", ["“文化贸易”", '"文化贸易"'])
def test_a_quoted_phrase_is_named_in_one_pair_of_quotes(client, q):
    page = page_parts(client, reverse("search:search"), {"q": q})
    assert page["h1"] == f"“文化贸易” · {page['count']} 个案例" and page["count"] > 0
    assert [label for _, label, _ in page["chips"]] == ["“文化贸易”"]


def test_each_chip_removes_only_its_own_value_keeps_the_rest_and_returns_to_page_one(client, settings):
    settings.PAGE_SIZE = 1
    path = reverse("search:search")
    params = {"q": "服务", "region": ["zhejiang", "hubei"], "topic": "finance", "sort": "number", "page": "2"}
    page = page_parts(client, path, params)
    assert page["h1"] == f"“服务” · 浙江省 · 湖北省 · 金融服务 · {page['count']} 个案例"
    kept = {"q": ["服务"], "region": ["zhejiang", "hubei"], "topic": ["finance"], "sort": ["number"]}
    removed = [("q", "服务"), ("region", "zhejiang"), ("region", "hubei"), ("topic", "finance")]
    assert len(page["chips"]) == len(removed)
    for (_, _, href), (key, value) in zip(page["chips"], removed, strict=True):
        url = urlsplit(href)
        assert url.path == path
        expected = {k: [v for v in values if (k, v) != (key, value)] for k, values in kept.items()}
        assert parse_qs(url.query) == {k: v for k, v in expected.items() if v}, href
        after = page_parts(client, href)
        remaining = search_cases(
            q=expected["q"][0] if expected["q"] else "",
            regions=list(Region.objects.filter(slug__in=expected["region"])),
            topics=list(Topic.objects.filter(slug__in=expected["topic"])),
        )
        assert after["count"] == remaining.count
        assert len(after["chips"]) == len(removed) - 1


def test_clear_all_returns_to_the_unfiltered_list_of_the_same_page(client):
    for path in [reverse("cases:case_list"), reverse("search:search")]:
        page = page_parts(client, path, {"q": "融资", "topic": "finance", "sort": "number"})
        assert page["clear"] == [path]
        everything = page_parts(client, path)
        assert everything["count"] == 20 and everything["h1"] == "全部案例"
        assert everything["title"] == "全部案例 - 试点最佳实践案例库"
        assert not everything["chips"] and not everything["clear"]


def test_chips_and_links_carry_only_validated_values_escaped(client):
    page = page_parts(
        client,
        reverse("search:search"),
        {"q": '<b>"融资"</b>', "region": "<script>", "topic": "finance", "junk": "<i>x</i>"},
    )
    html = page["html"]
    assert "<b>" not in html and "<script>" not in html and "<i>x</i>" not in html
    assert [(kind, label) for kind, label, _ in page["chips"]] == [
        ("检索词", "“&lt;b&gt;&quot;融资&quot;&lt;/b&gt;”"),
        ("主题", "金融服务"),
    ]
    for _, _, href in page["chips"]:
        assert "junk" not in href and "region" not in href and "script" not in href
    feed = unescape(re.search(r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]*)"', html).group(1))
    assert parse_qs(urlsplit(feed).query) == {"q": ['<b>"融资"</b>'], "topic": ["finance"]}


def test_the_page_advertises_the_feed_of_its_search(client):
    html = client.get(reverse("cases:case_list"), {"q": "融资", "region": "hubei", "page": "1"}).content.decode()
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', html)
    assert alternate.group(1) == "“融资” · 湖北省 - 试点最佳实践案例库"
    href = unescape(alternate.group(2))
    assert urlsplit(href).path == reverse("search:feed")
    assert parse_qs(urlsplit(href).query) == {"q": ["融资"], "region": ["hubei"]}
    assert f'<a href="{alternate.group(2)}" type="application/atom+xml"' in html and ">订阅</a>" in html
    assert client.get(href).status_code == 200


def test_phones_get_a_filter_button_at_the_top_of_the_results(client):
    html = client.get(reverse("cases:case_list"), {"region": "zhejiang", "topic": "finance"}).content.decode()
    results = html[html.index('<section class="results"') :]
    assert results.index('class="filter-button" href="#filters"') < results.index('id="result-count"')
    assert '按地区、主题筛选<span class="filter-button-count">（已选 2 项）</span>' in results
    assert 'id="filters"' in html
