"""The Atom feed of a search: the same cases as the page, newest first, at most 50."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Collection
from regions.models import Region
from search.service import search_cases

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def get_feed(client, params=None) -> ET.Element:
    response = client.get(reverse("search:feed"), params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_ids(feed: ET.Element) -> list[int]:
    """The case ids of the entries, in the feed's order, read from their links."""
    return [
        int(urlsplit(entry.find(f"{ATOM}link").get("href")).path.rstrip("/").rsplit("/", 1)[1])
        for entry in feed.findall(f"{ATOM}entry")
    ]


def newest_first(ids) -> list[int]:
    cases = Case.objects.filter(pk__in=ids).select_related("collection")
    ordered = sorted(cases, key=lambda c: (c.created_at, c.collection.year, c.number, c.pk), reverse=True)
    return [case.pk for case in ordered]


def search_ids(**arguments) -> list[int]:
    return [hit.case.pk for hit in search_cases(**arguments, page_size=100).hits]


def test_a_query_feed_lists_the_cases_the_search_finds_newest_first(client):
    feed = get_feed(client, {"q": "融资"})
    found = search_ids(q="融资")
    assert 1 < len(found) < 20
    assert entry_ids(feed) == newest_first(found)
    assert feed.find(f"{ATOM}title").text == "“融资” - 试点最佳实践案例库"
    published = [entry.find(f"{ATOM}published").text for entry in feed.findall(f"{ATOM}entry")]
    assert published == sorted(published, reverse=True)


def test_a_feed_of_several_words_follows_the_cases_with_all_of_them_and_says_so(client):
    feed = get_feed(client, {"q": "跨境电商融资"})
    results = search_cases(q="跨境电商融资", page_size=100)
    assert results.all_word_count == 1 and results.count == 11  # the page lists the partial matches after it
    assert entry_ids(feed) == [hit.case.pk for hit in results.hits[:1]]
    assert feed.find(f"{ATOM}subtitle").text.startswith("包含全部检索词的案例（没有时，包含部分检索词的案例）")


def test_each_entry_is_categorised_by_the_topics_of_its_case(client):
    feed = get_feed(client, {"q": "融资"})
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for pk, entry in zip(entry_ids(feed), entries, strict=True):
        topics = [topic.name for topic in Case.objects.get(pk=pk).topics.all()]
        assert topics and [category.get("term") for category in entry.findall(f"{ATOM}category")] == topics


def test_a_region_feed_lists_that_regions_cases(client):
    feed = get_feed(client, {"region": "zhejiang"})
    assert sorted(entry_ids(feed)) == sorted(search_ids(regions=[Region.objects.get(slug="zhejiang")]))
    assert len(entry_ids(feed)) == 4
    assert feed.find(f"{ATOM}title").text == "浙江省 - 试点最佳实践案例库"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/search/?region=zhejiang"


def test_entries_carry_the_summary_link_and_dates(client):
    feed = get_feed(client)
    assert feed.find(f"{ATOM}title").text == "全部案例 - 试点最佳实践案例库"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    case = Case.objects.get(pk=entry_ids(feed)[0])
    first = entries[0]
    assert first.find(f"{ATOM}title").text == f"{case.number}．{case.title}"
    assert first.find(f"{ATOM}summary").text == case.summary
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver/cases/{case.pk}/"
    assert first.find(f"{ATOM}updated").text == case.updated_at.isoformat()
    assert first.find(f"{ATOM}author/{ATOM}name").text == case.provider


def test_the_newest_case_comes_first_whatever_its_number(client):
    Case.objects.filter(number=3).update(created_at=timezone.now())
    assert entry_ids(get_feed(client))[0] == Case.objects.get(number=3).pk


def test_a_summary_is_shown_as_text_not_markup(client):
    Case.objects.filter(number=20).update(summary="<b>粗体</b> & 融资")
    [summary] = [
        entry.find(f"{ATOM}summary").text
        for entry in get_feed(client, {"q": "融资"}).findall(f"{ATOM}entry")
        if entry.find(f"{ATOM}link").get("href").endswith(f"/{Case.objects.get(number=20).pk}/")
    ]
    assert summary == "&lt;b&gt;粗体&lt;/b&gt; &amp; 融资"  # escaped once more: the summary is of type html


@pytest.fixture
def seventy_cases():
    """50 more published cases than the 20, each newer than the one before."""
    collection = Collection.objects.get(slug="service-trade-2020")
    start = timezone.now()
    for number in range(101, 151):
        case = Case.objects.create(collection=collection, number=number, title=f"新增案例{number}", provider="测试")
        Case.objects.filter(pk=case.pk).update(created_at=start + timedelta(seconds=number))


def test_at_most_50_entries_the_newest(client, seventy_cases):
    ids = entry_ids(get_feed(client))
    assert len(ids) == 50
    assert [Case.objects.get(pk=pk).number for pk in ids] == list(range(150, 100, -1))


@pytest.mark.parametrize(
    "params, message",
    [({"region": "atlantis"}, "没有标识为“atlantis”的地区"), ({"topic": "nothing"}, "没有标识为“nothing”的主题")],
)
def test_an_unknown_region_or_topic_is_a_400(client, params, message):
    response = client.get(reverse("search:feed"), {"q": "融资", **params})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_feed_is_cached_with_its_content_type(client):
    first = client.get(reverse("search:feed"), {"q": "融资"})
    again = client.get(reverse("search:feed"), {"q": "融资"})
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again["Content-Type"] == first["Content-Type"] and again.content == first.content


HOSTILE = [
    "融资\x00武汉",
    "\x0b\x1f融资",
    "<script>alert(1)</script>",
    '"unclosed',
    "融" * 10_000,
    "🚢 邮轮",
    "\ufffe融资\uffff",  # characters no XML document may hold
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_give_well_formed_feeds(client, q):
    feed = get_feed(client, {"q": q})
    assert feed.find(f"{ATOM}title").text.endswith(" - 试点最佳实践案例库")


def test_a_feed_counts_its_matches_only_when_partial_matches_may_follow(client):
    """The feed is newest first, not ranked: counting is needed only to know whether any case has every word."""
    counted = {}
    for q in ["融资", "-邮轮", "融资 平台"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("search:feed"), {"q": q}).status_code == 200
        counted[q] = any("COUNT(" in query["sql"] for query in queries.captured_queries)
    assert counted == {"融资": False, "-邮轮": False, "融资 平台": True}
