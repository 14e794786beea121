"""Suggestions as you type (/api/suggest/), the syntax hint under the search box and the help page."""

import pytest
from django.urls import reverse

from cases.models import Case
from search.service import PARTIAL_LIMIT
from search.tests.test_search_page import HOSTILE

pytestmark = pytest.mark.django_db


def suggest(client, q: str) -> list[dict]:
    response = client.get(reverse("search:suggest"), {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


def test_a_chinese_prefix_suggests_titles_topics_and_words(client):
    items = suggest(client, "金融")
    assert 0 < len(items) <= 10
    titles = [item for item in items if item["kind"] == "title"]
    assert titles and all("金融" in item["text"] for item in titles)
    case = Case.objects.get(title=titles[0]["text"])
    assert titles[0]["url"] == case.get_absolute_url()
    assert {"text": "金融服务", "kind": "topic", "url": "/search/?topic=finance"} in items
    words = [item["text"] for item in items if item["kind"] == "word"]
    assert words and all(word.startswith("金融") for word in words)
    assert len({item["text"] for item in items}) == len(items)


def test_a_pinyin_prefix_suggests_the_chinese_it_begins(client):
    items = suggest(client, "jinr")
    texts = [item["text"] for item in items]
    assert "金融" in texts
    assert any(item["kind"] == "title" and "金融" in item["text"] for item in items)
    assert {"text": "金融", "kind": "word", "url": "/search/?q=%E9%87%91%E8%9E%8D"} in items


def test_a_region_is_suggested_by_name_or_pinyin(client):
    assert any(item["kind"] == "region" and item["text"] == "武汉市" for item in suggest(client, "武汉"))
    assert any(item["kind"] == "region" and item["text"] == "武汉市" for item in suggest(client, "wuh"))


def test_drafts_are_not_suggested(client):
    case = Case.objects.get(title__contains="金融超市")
    case.status = Case.Status.DRAFT
    case.save()
    assert not any("金融超市" in item["text"] for item in suggest(client, "金融超市"))


@pytest.mark.parametrize("q", [*HOSTILE, "", "   ", "\x00\x01", "金" * 51])
def test_hostile_or_empty_input_is_answered_never_an_error(client, q):
    items = suggest(client, q)
    assert len(items) <= 10
    if not q.strip() or len(q) > 50:
        assert items == []


def test_answers_are_cached_until_the_next_change(client):
    url = reverse("search:suggest")
    assert client.get(url, {"q": "金融"})["X-Cache"] == "miss"
    assert client.get(url, {"q": "金融"})["X-Cache"] == "hit"


def test_the_search_box_is_a_combobox_with_a_hint_linking_to_the_help_page(client):
    for path in [reverse("cases:home"), reverse("search:search") + "?q=融资"]:
        html = client.get(path).content.decode()
        assert 'role="combobox"' in html
        assert 'aria-controls="search-q-suggestions"' in html and 'id="search-q-suggestions"' in html
        assert 'aria-describedby="search-hint"' in html
        assert f'<a href="{reverse("search:help")}">语法说明</a>' in html
        assert "/static/js/suggest.js" in html


def test_the_help_page_explains_the_syntax(client):
    html = client.get(reverse("search:help")).content.decode()
    assert "<h1" in html and "检索语法说明" in html
    for topic in ["同义词", "拼音", "短语", "排除", "任一", "筛选", "“”", "「」", "｜"]:
        assert topic in html
    # The partial matches follow the cases with every word whenever those are few, as the search does.
    assert f"这样的案例不足 {PARTIAL_LIMIT} 个时，接着列出只包含其中部分词的案例" in html
