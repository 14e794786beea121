"""The visitor's selection of cases: adding, removing, clearing, the selection page and its exports."""

import csv
import html as html_lib
import io
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from cases import selection
from cases.models import Case

pytestmark = pytest.mark.django_db

ADD = reverse("cases:selection_add")
REMOVE = reverse("cases:selection_remove")
CLEAR = reverse("cases:selection_clear")
PAGE = reverse("cases:selection")
JSON = {"HTTP_ACCEPT": "application/json"}


def case(number: int) -> Case:
    return Case.objects.get(number=number)


def add(client: Client, *numbers: int, next: str = "/search/?q=融资", **extra):
    return client.post(ADD, {"case": [case(number).pk for number in numbers], "next": next}, **extra)


def selected(client: Client) -> list[int]:
    return [Case.objects.get(pk=pk).number for pk in client.session.get(selection.SESSION_KEY, [])]


def header_count(html: str) -> int:
    return int(re.search(r'<span class="selection-count" data-selection-count>(\d+)</span>', html).group(1))


def toggle(html: str, pk: int) -> str:
    form = html[html.index(f'id="select-{pk}"') :]
    return form[: form.index("</form>")]


def export_links(html: str) -> dict[str, str]:
    block = html[html.index('<p class="export">') :]
    block = block[: block.index("</p>")]
    return {name: html_lib.unescape(href) for href, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)}


# Adding, removing, clearing


def test_a_case_added_from_the_results_is_kept_and_shown_as_selected_on_every_page(client):
    response = add(client, 13)
    assert response.status_code == 303 and unquote(response["Location"]) == "/search/?q=融资"
    assert selected(client) == [13]

    results = client.get("/search/", {"q": "融资"}).content.decode()
    assert header_count(results) == 1
    assert "已加入“" + case(13).title + "”，已选 1 个案例。" in results  # told once, after the redirect
    form = toggle(results, case(13).pk)
    assert f'action="{REMOVE}"' in form and "移出已选" in form and "已选</span>" in form
    other = toggle(results, case(4).pk)
    assert f'action="{ADD}"' in other and "加入已选" in other

    page = client.get(case(13).get_absolute_url()).content.decode()
    assert header_count(page) == 1 and "移出已选" in toggle(page, case(13).pk)
    assert "已加入“" not in page  # the message was shown once


def test_adding_again_keeps_one_entry_and_the_order_of_adding(client):
    add(client, 7)
    add(client, 13, 7, 2)
    assert selected(client) == [7, 13, 2]


def test_remove_one_then_clear(client):
    add(client, 7, 13, 2)
    response = client.post(REMOVE, {"case": case(13).pk, "next": "/topics/"})
    assert response.status_code == 303 and response["Location"] == "/topics/"
    assert selected(client) == [7, 2]
    assert "已移出“" + case(13).title + "”，已选 2 个案例。" in client.get("/topics/").content.decode()

    response = client.post(CLEAR, {"next": PAGE})
    assert response.status_code == 303 and response["Location"] == PAGE
    assert selected(client) == []
    html = client.get(PAGE).content.decode()
    assert "已清空已选案例。" in html and "还没有选择案例。" in html and header_count(html) == 0


def test_the_script_gets_json_instead_of_a_redirect(client):
    answer = add(client, 13, 4, **JSON)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "count": 2,
        "selected": {str(case(13).pk): True, str(case(4).pk): True},
        "message": "已加入“" + case(13).title + "”“" + case(4).title + "”，已选 2 个案例。",
    }
    removed = client.post(REMOVE, {"case": case(4).pk}, **JSON).json()
    assert removed["count"] == 1 and removed["selected"] == {str(case(4).pk): False}
    # A message given in JSON is not shown again on the next page.
    assert "已加入" not in client.get(PAGE).content.decode()


def test_the_selection_is_capped_with_a_clear_message(client, settings):
    settings.EXPORT_MAX_BRIEFING_CASES = 3  # the selection holds no more than a briefing takes
    add(client, 1, 2)
    response = add(client, 3, 4, 5)
    assert selected(client) == [1, 2, 3]
    html = client.get(response["Location"]).content.decode()
    assert "已选案例最多 3 个，已经选满，另有 2 个案例没有加入。" in html

    full = add(client, 6, **JSON)
    assert full.status_code == 400 and full.json()["count"] == 3 and "已经选满" in full.json()["message"]
    assert full.json()["selected"] == {str(case(6).pk): False}


def test_the_cap_lets_the_whole_selection_go_into_one_word_briefing(settings):
    assert selection.limit() == 200 <= settings.EXPORT_MAX_BRIEFING_CASES
    settings.EXPORT_MAX_BRIEFING_CASES = 50
    assert selection.limit() == 50
    settings.EXPORT_MAX_BRIEFING_CASES = 5000
    assert selection.limit() == 200  # a session holds a few hundred ids at most


def test_invalid_ids_are_ignored_with_a_message(client):
    response = client.post(ADD, {"case": ["abc", "-3", str(case(13).pk), "99999999"], "next": "/"})
    assert selected(client) == [13]
    html = client.get(response["Location"]).content.decode()
    assert "“abc”、“-3” 不是有效的案例标识，已忽略。" in html
    assert "没有标识为 99999999 的已发布案例，未加入。" in html
    answer = client.post(ADD, {"case": ["1' OR 1=1"]}, **JSON)
    assert answer.status_code == 400 and "不是有效的案例标识" in answer.json()["message"]
    assert selected(client) == [13]


def test_a_draft_cannot_be_added(client):
    draft = case(11)
    draft.status = Case.Status.DRAFT
    draft.save()
    answer = client.post(ADD, {"case": draft.pk}, **JSON)
    assert answer.status_code == 400
    assert answer.json() == {
        "count": 0,
        "selected": {str(draft.pk): False},
        "message": f"没有标识为 {draft.pk} 的已发布案例，未加入。",
    }
    assert selected(client) == []


def test_a_case_withdrawn_after_it_was_added_leaves_the_selection(client):
    add(client, 11, 13, **JSON)
    withdrawn = case(11)
    withdrawn.status = Case.Status.DRAFT
    withdrawn.save()
    html = client.get(PAGE).content.decode()
    assert "有 1 个已选案例已撤下，已从已选中移除。" in html
    assert withdrawn.title not in html and selected(client) == [13]


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/search/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example",
        "",
    ],
)
def test_only_a_page_of_this_site_is_returned_to(client, next_url):
    assert add(client, 13, next=next_url)["Location"] == PAGE


def test_a_page_of_this_site_with_a_fragment_is_returned_to(client):
    assert add(client, 13, next="/cases/?page=2#select-5")["Location"] == "/cases/?page=2#select-5"


@pytest.mark.parametrize("url", [ADD, REMOVE, CLEAR])
def test_the_forms_need_the_csrf_token_and_post(url):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, {"case": case(13).pk}).status_code == 403
    assert client.get(url, {"case": case(13).pk}).status_code == 405
    assert selection.SESSION_KEY not in client.session


def test_the_session_holds_only_ids_whatever_it_was_given(client):
    session = client.session
    session[selection.SESSION_KEY] = [case(13).pk, "7", True, -1, case(13).pk, None, case(4).pk]
    session.save()
    html = client.get(PAGE).content.decode()
    assert header_count(html) == 2
    assert selected(client) == [13, 4]


# The selection page


def test_the_selection_page_lists_exactly_the_chosen_cases_in_order(client):
    add(client, 17, 3, 9)
    response = client.get(PAGE)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = response.content.decode()
    listed = re.findall(r'<p class="selection-item-title"><a href="/cases/(\d+)/">', html)
    assert listed == [str(case(n).pk) for n in (17, 3, 9)]
    assert "已选 <strong>3</strong> 个案例" in html and header_count(html) == 3
    for number in (17, 3, 9):
        form = html[html.index(f'<input type="hidden" name="case" value="{case(number).pk}">') - 300 :]
        assert f'action="{REMOVE}"' in form[:400]


def test_the_export_links_carry_exactly_the_selection_and_the_csv_has_its_rows(client):
    add(client, 17, 3, 9)
    html = client.get(PAGE).content.decode()
    links = export_links(html)
    assert set(links) == {"CSV", "Excel", "JSON", "Word 简报"}
    ids = [str(case(n).pk) for n in (17, 3, 9)]
    for href in links.values():
        assert parse_qs(urlsplit(href).query) == {"case": ids}

    response = client.get(links["CSV"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(content, newline=""))
    assert [row[header.index("标题")] for row in rows] == [case(n).title for n in (17, 3, 9)]

    response = client.get(links["JSON"])
    exported = json.loads(b"".join(response.streaming_content))
    assert [item["title"] for item in exported] == [case(n).title for n in (17, 3, 9)]
    assert client.get(links["Word 简报"]).status_code == 200


def test_compare_is_offered_for_two_to_four_cases(client):
    add(client, 13)
    html = client.get(PAGE).content.decode()
    assert "比较需要 2 至 4 个案例，请再加入至少一个案例。" in html and "/compare/?" not in html

    add(client, 11, 12)
    html = client.get(PAGE).content.decode()
    ids = [case(n).pk for n in (13, 11, 12)]
    link = f'<a class="button" href="/compare/?case={ids[0]}&amp;case={ids[1]}&amp;case={ids[2]}">比较这 3 个案例</a>'
    assert link in html
    compared = client.get(f"/compare/?case={ids[0]}&case={ids[1]}&case={ids[2]}")
    assert compared.status_code == 200 and compared.content.decode().count('<th scope="col">') == 3

    add(client, 4, 5)
    html = client.get(PAGE).content.decode()
    assert "比较这" not in html
    assert html.count('form="selection-compare"') == 5  # a box each, to pick which to compare
    assert '<form id="selection-compare" action="/compare/" method="get">' in html


def test_the_bar_compares_the_selection_or_leads_to_the_selection_page(client):
    compare_selection = reverse("cases:selection_compare")
    add(client, 13)
    assert client.get(compare_selection)["Location"] == PAGE
    add(client, 11)
    assert client.get(compare_selection)["Location"] == f"/compare/?case={case(13).pk}&case={case(11).pk}"


def test_a_long_selection_is_paged(client, monkeypatch):
    monkeypatch.setattr("cases.selection_views.PAGE_SIZE", 8)
    add(client, *range(1, 21))
    first = client.get(PAGE).content.decode()
    assert first.count('class="selection-item"') == 8 and "第 1 / 3 页" in first
    last = client.get(PAGE, {"page": 3}).content.decode()
    assert last.count('class="selection-item"') == 4 and '<ol class="selection-list" start="17"' in last
    assert client.get(PAGE, {"page": 99}).content.decode().count('class="selection-item"') == 4
    assert client.get(PAGE, {"page": "x"}).status_code == 404
    # The exports take the whole selection, not the page.
    assert len(parse_qs(urlsplit(export_links(last)["CSV"]).query)["case"]) == 20


# Pages that show the selection, and the cache


def test_a_visitor_without_a_session_never_sees_anothers_selection(client):
    add(client, 13)
    mine = client.get("/search/", {"q": "融资"})
    assert "X-Cache" not in mine  # a visitor with a session is never served from, or stored in, the cache
    assert header_count(mine.content.decode()) == 1

    first, stranger = Client(), Client(enforce_csrf_checks=True)
    for visitor, expected in ((first, "miss"), (stranger, "hit")):
        response = visitor.get("/search/", {"q": "融资"})
        html = response.content.decode()
        assert response["X-Cache"] == expected
        assert header_count(html) == 0 and "移出已选" not in html and 'class="selection-bar"' in html
        assert re.search(r'class="selection-bar"[^>]*hidden>', html)

    # The cached page carries the stranger's own CSRF token, which their form can send.
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html).group(1)
    assert stranger.post(ADD, {"case": case(4).pk, "csrfmiddlewaretoken": token, "next": "/"}).status_code == 303
    assert [Case.objects.get(pk=pk).number for pk in stranger.session[selection.SESSION_KEY]] == [4]
    assert selected(client) == [13]


def test_a_cached_page_is_stored_without_the_first_visitors_token(client):
    first = Client()
    html = first.get("/search/", {"q": "融资"}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html).group(1)
    again = Client().get("/search/", {"q": "融资"})
    assert again["X-Cache"] == "hit" and token not in again.content.decode()
    assert "csrftoken" in again.cookies


def test_the_selection_bar_shows_only_when_something_is_selected(client):
    html = client.get("/search/").content.decode()
    assert re.search(r'<div class="selection-bar"[^>]*hidden>', html)
    add(client, 13)
    html = client.get("/search/").content.decode()
    bar = html[html.index('<div class="selection-bar"') :]
    bar = bar[: bar.index("</div>")]
    assert "hidden>" not in bar.split("\n")[0] and "已选 <strong data-selection-count>1</strong> 个案例" in bar
    assert re.search(r"data-selection-compare hidden>比较已选案例", bar)  # one case: nothing to compare yet
    add(client, 11)
    bar = client.get("/search/").content.decode()
    assert "data-selection-compare>比较已选案例" in bar


def test_every_result_topic_and_region_list_has_an_add_button(client):
    for url in ["/search/?q=融资", reverse("cases:topic_detail", args=["finance"]), "/regions/chongqing/"]:
        html = client.get(url).content.decode()
        cards = html.count('<article class="case-card">')
        assert cards >= 2 and html.count('class="selection-toggle"') == cards, url
        for pk in re.findall(r'<form class="selection-toggle" id="select-(\d+)"', html):
            form = toggle(html, int(pk))
            assert f'<input type="hidden" name="case" value="{pk}">' in form
            assert 'name="csrfmiddlewaretoken"' in form
            next_url = html_lib.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))
            assert urlsplit(next_url).path == urlsplit(url).path and next_url.endswith(f"#select-{pk}")


def test_the_case_page_and_the_compare_page_have_the_buttons(client):
    page = client.get(case(13).get_absolute_url()).content.decode()
    assert "加入已选" in toggle(page, case(13).pk)
    ids = [case(n).pk for n in (13, 11)]
    compared = client.get(f"/compare/?case={ids[0]}&case={ids[1]}").content.decode()
    for pk in ids:
        assert "加入已选" in toggle(compared, pk)
    assert "把这 2 个案例都加入已选" in compared
    client.post(ADD, {"case": ids, "next": f"/compare/?case={ids[0]}&case={ids[1]}"})
    assert selected(client) == [13, 11]
    compared = client.get(f"/compare/?case={ids[0]}&case={ids[1]}").content.decode()
    assert "把这 2 个案例都加入已选" not in compared and "这 2 个案例都在" in compared


def test_choosing_again_keeps_the_compared_cases_ticked(client):
    ids = [case(n).pk for n in (13, 11, 12)]
    compared = client.get(f"/compare/?case={ids[0]}&case={ids[1]}&case={ids[2]}").content.decode()
    choose = html_lib.unescape(re.search(r'<a href="([^"]+)">增减比较的案例</a>', compared).group(1))
    response = client.get(choose)
    assert response.status_code == 200
    ticked = re.findall(r'id="choose-(\d+)" name="case" value="\d+" checked', response.content.decode())
    assert sorted(map(int, ticked)) == sorted(ids)


def test_the_choose_page_starts_from_the_selection(client):
    add(client, 13, 11)
    ticked = re.findall(r'id="choose-(\d+)" name="case" value="\d+" checked', client.get("/compare/").content.decode())
    assert sorted(map(int, ticked)) == sorted([case(13).pk, case(11).pk])
    add(client, 1, 2, 3)  # more than can be compared: nothing is ticked
    assert " checked" not in client.get("/compare/").content.decode()


def test_a_draft_seen_by_staff_has_no_add_button(admin_client):
    draft = case(11)
    draft.status = Case.Status.DRAFT
    draft.save()
    html = admin_client.get(draft.get_absolute_url()).content.decode()
    assert "草稿" in html and f'id="select-{draft.pk}"' not in html
