"""Suggestions as you type, in a real browser: the search box's combobox driven by the keyboard and the mouse.

Uses the browser, live server and watch fixtures of ``cases.tests.test_browser``
(a console error or a request leaving the site fails the test).
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    axe_source,
    browser,
    page,
    restore_database,
    site,
    visit,
    watch,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_suggestions(page, typed: str):  # noqa: F811
    visit(page, "/")
    box = page.get_by_role("combobox", name="检索案例")
    box.press_sequentially(typed, delay=30)
    listbox = page.get_by_role("listbox", name="检索建议")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    return box, listbox


def test_type_pinyin_arrow_down_and_enter_opens_the_suggested_case(page):  # noqa: F811
    box, listbox = open_suggestions(page, "jinr")
    options = listbox.get_by_role("option")
    assert 0 < options.count() <= 10
    assert any("金融" in text for text in options.all_inner_texts())
    page.keyboard.press("ArrowDown")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert box.evaluate("el => el === document.activeElement"), "the focus must stay in the box"
    title = first.locator("span").first.inner_text()
    assert "金融" in title and first.locator(".suggestion-kind").inner_text() == "案例"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_a_chosen_word_fills_the_box_and_searches(page):  # noqa: F811
    _, listbox = open_suggestions(page, "金融")
    texts = listbox.locator(".suggestion-kind").all_inner_texts()
    index = texts.index("词语")
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    word = listbox.get_by_role("option").nth(index).locator("span").first.inner_text()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    assert parse_qs(urlsplit(page.url).query)["q"] == [word]
    assert page.get_by_role("combobox", name="检索案例").input_value() == word


def test_escape_closes_the_list_and_enter_then_searches_what_was_typed(page):  # noqa: F811
    box, listbox = open_suggestions(page, "融资")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "融资"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["融资"]


def test_a_click_on_a_topic_filters_by_it(page):  # noqa: F811
    _, listbox = open_suggestions(page, "金融")
    listbox.get_by_role("option").filter(has_text="主题").first.click()
    page.wait_for_url(re.compile(r"/search/\?"))
    assert parse_qs(urlsplit(page.url).query) == {"topic": ["finance"]}
    assert page.locator(".facets a.selected").inner_text().startswith("金融服务")


def test_the_open_suggestions_pass_axe(page):  # noqa: F811
    source = axe_source()
    open_suggestions(page, "jinr")
    page.keyboard.press("ArrowDown")
    page.evaluate(source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe checked nothing"
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(f"{v['impact']} {v['id']}: {v['help']} — {v['nodes'][:3]}" for v in serious)


def test_the_help_page_is_reached_from_the_hint(page):  # noqa: F811
    visit(page, "/")
    page.get_by_role("link", name="语法说明").click()
    page.wait_for_url(re.compile(r"/search/help/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "检索语法说明"
