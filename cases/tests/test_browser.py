"""End to end in a real browser: Playwright drives Debian's Chromium against the live server.

Every test gets a fresh browser context whose console, page errors and requests
are watched: a console error, an uncaught exception or a request to any other
origin fails the test (other origins are also aborted, so nothing leaves the
machine). Select these tests with ``-m browser``; ``-m "not browser"`` leaves
them out.

The live server needs transactional database access, and Django empties every
table after such a test. So each test loads the 20 cases itself, and after the
last one the database is put back as ``django_db_setup`` left it (the rows the
migrations made, then the cases), whatever order the tests run in.
"""

import codecs
import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from cases.models import Case

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_CORE = Path(settings.BASE_DIR) / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
    # serialized_rollback: the rows the migrations made (the editors group,
    # permissions) come back after each flush, as do the cases (restore_database).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def browser() -> Browser:
    """One Chromium for all the tests here, closed with the module.

    Playwright's sync API keeps an asyncio loop running in this thread. While it
    runs, Django refuses to use the database here unless told that it's safe (it
    is: nothing async touches the database), and would hand out a second set of
    connections, apart from the thread's own; the test database, its serialized
    contents and the connections of the other tests belong to the first set, so
    the thread's own connections are used throughout. Stopping Playwright with
    the module takes the loop and the permission away again.
    """
    own = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, connection in own.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture(scope="module", autouse=True)
def restore_database(browser, restore_the_database_afterwards):
    """After the last test here, put back what its flush removed, for the tests that run later."""


@pytest.fixture
def site(live_server, monkeypatch) -> str:
    """The live server's address, with the 20 cases in its database."""
    call_command("load_initial_data", verbosity=0)
    # The server's threads close their database connections after each request
    # instead of keeping them for CONN_MAX_AGE: one left open would stop the
    # test database (PostgreSQL) from being dropped at the end of the run.
    for alias in connections:
        monkeypatch.setitem(connections[alias].settings_dict, "CONN_MAX_AGE", 0)
    return live_server.url


class Watch:
    """What a page did that it should not: console errors, uncaught exceptions, requests elsewhere."""

    def __init__(self, origin: str):
        self.origin = origin
        self.problems: list[str] = []

    def console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def page_error(self, error) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def request(self, request) -> None:
        if not request.url.startswith(self.origin + "/"):
            self.problems.append(f"request leaving the site: {request.method} {request.url}")

    def route(self, route) -> None:
        if route.request.url.startswith(self.origin + "/"):
            route.continue_()
        else:
            route.abort("blockedbyclient")


def open_context(browser: Browser, watch: Watch, **options):
    context = browser.new_context(base_url=watch.origin, accept_downloads=True, **options)
    context.set_default_timeout(10_000)
    context.route("**/*", watch.route)
    context.on("request", watch.request)
    context.on("console", watch.console)
    context.on("page", lambda page: page.on("pageerror", watch.page_error))
    return context


@pytest.fixture
def watch(site) -> Watch:
    return Watch(site)


@pytest.fixture
def page(browser, watch):
    context = open_context(browser, watch)
    page = context.new_page()
    yield page
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.fixture
def phone(browser, watch):
    context = open_context(browser, watch, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"


def result_count(page: Page) -> int:
    return int(page.locator("#result-count strong").inner_text())


def card_links(page: Page) -> list[str]:
    return [
        urlsplit(href).path for href in page.locator(".case-card-title a").evaluate_all("as => as.map(a => a.href)")
    ]


def focus_is_visible(page: Page) -> bool:
    """The focused element shows a focus outline and sits inside the viewport."""
    return page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
            return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
                && box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
                && box.right <= innerWidth && box.bottom <= innerHeight;
        }"""
    )


def test_search_from_the_home_page(page):
    visit(page, "/")
    page.get_by_role("combobox", name="检索案例").fill("融资")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["融资"]
    count = result_count(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"“融资” · {count} 个案例"
    assert 0 < count <= 20
    assert page.locator(".case-card").count() == count
    marks = page.locator(".case-card mark").all_inner_texts()
    assert any("融资" in mark for mark in marks), marks
    assert page.get_by_role("combobox", name="检索案例").input_value() == "融资"


def test_open_a_case_from_the_results(page):
    visit(page, "/search/?q=融资")
    first = page.locator(".case-card-title a").first
    number, title = first.inner_text().split("．", 1)
    first.click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert f"案例 {number}" in page.locator(".breadcrumb").inner_text()
    sections = page.locator(".case-section h2").all_inner_texts()
    assert sections[0] == "一、主要做法"
    assert "融资" in page.locator("main").inner_text()


def test_a_region_facet_narrows_the_results_and_unselects(page):
    visit(page, "/search/?q=融资")
    everything = result_count(page)
    facets = page.locator(".facets .facet-list").first.locator("a")
    counts = [int(text) for text in facets.locator(".count").all_inner_texts()]
    index = next(i for i, count in enumerate(counts) if count < everything)
    facet = facets.nth(index)
    name = facet.evaluate("a => a.firstChild.textContent.trim()")
    facet.click()
    page.wait_for_url(re.compile(r"region="))
    assert result_count(page) == counts[index] < everything
    selected = page.locator(".facets a[aria-current=true]")
    assert selected.count() == 1 and selected.inner_text().startswith(name)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["融资"]
    selected.click()
    page.wait_for_url(lambda url: "region=" not in url)
    assert result_count(page) == everything


def test_compare_two_cases_from_the_related_cases_of_a_case(page):
    visit(page, "/search/?q=融资")
    visit(page, card_links(page)[0])
    title = page.get_by_role("heading", level=1).inner_text()
    related = page.locator(".related-list .related-title").all_inner_texts()[:2]
    boxes = page.locator(".related-list input[type=checkbox]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))  # nothing is ticked for the reader
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="比较所选案例").click()
    page.wait_for_url(re.compile(r"/compare/\?"))
    columns = page.locator(".compare-table thead th[scope=col]")
    assert columns.count() == 4  # the corner, the case, the two related cases
    assert title in columns.nth(1).inner_text()
    for i, text in enumerate(related, start=2):
        assert text.split("．", 1)[1] in columns.nth(i).inner_text()


# The selection ("已选案例")


def header_count(page: Page) -> int:
    return int(page.locator(".site-header .selection-count").inner_text())


def add_button(page: Page, index: int):
    return page.locator(".case-card").nth(index).locator(".selection-toggle button")


def download_rows(page: Page, link) -> list[list[str]]:
    with page.expect_download() as csv_download:
        link.click()
    raw = Path(csv_download.value.path()).read_bytes()
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    return [row[header.index("标题")] for row in rows]


def select_compare_and_export(page: Page, *, script: bool) -> None:
    """Two cases from the results and one from its own page, then the selection page: compare, export."""
    visit(page, "/search/?q=融资")
    titles = [text.split("．", 1)[1] for text in page.locator(".case-card-title a").all_inner_texts()[:3]]
    third = card_links(page)[2]
    assert header_count(page) == 0 and page.locator(".selection-bar").is_hidden()
    page.evaluate("window.stayed = true")  # gone after a reload
    for index in range(2):
        add_button(page, index).click()
        expect_selected = page.locator(".case-card").nth(index).locator(".selection-state")
        expect_selected.filter(has_text="已选").wait_for()
        assert add_button(page, index).inner_text().startswith("移出已选")
    assert page.evaluate("window.stayed === true") is script
    assert header_count(page) == 2 and page.locator(".selection-bar").is_visible()
    assert page.locator(".selection-bar").get_by_role("link", name="比较已选案例").is_visible()
    if script:
        assert "已选 2 个案例" in page.locator("#selection-notice").inner_text()

    visit(page, third)
    page.locator(".case .selection-toggle").get_by_role("button", name=re.compile("^加入已选")).click()
    page.locator(".case .selection-state").filter(has_text="已选").wait_for()
    assert header_count(page) == 3

    page.locator(".site-header").get_by_role("link", name=re.compile("^已选案例")).click()
    page.wait_for_url(re.compile(r"/selection/$"))
    assert [text.split("．", 1)[1] for text in page.locator(".selection-item-title a").all_inner_texts()] == titles

    page.get_by_role("link", name="比较这 3 个案例").click()
    page.wait_for_url(re.compile(r"/compare/\?"))
    columns = page.locator(".compare-table thead th[scope=col]")
    assert columns.count() == 4
    for i, title in enumerate(titles, start=1):
        assert title in columns.nth(i).inner_text()

    page.go_back()
    page.wait_for_url(re.compile(r"/selection/$"))
    assert download_rows(page, page.locator(".export").get_by_role("link", name="CSV", exact=True)) == titles


def test_select_from_results_and_a_case_page_then_compare_and_export(page):
    select_compare_and_export(page, script=True)


def test_select_compare_and_export_without_javascript(browser, watch):
    context = open_context(browser, watch, java_script_enabled=False)
    try:
        select_compare_and_export(context.new_page(), script=False)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_choose_cases_to_compare_across_pages_with_the_keyboard_and_without_javascript(
    browser, watch, page, monkeypatch
):
    monkeypatch.setattr("cases.views.CHOICES_PER_PAGE", 8)  # the 20 cases to choose from on three pages

    def label(box) -> str:
        return plain.locator(f"label[for={box.get_attribute('id')}]").inner_text()

    # Without script, nothing may be run in the page (evaluate would wait for ever): only keys and reads.
    context = open_context(browser, watch, java_script_enabled=False)
    try:
        plain = context.new_page()
        visit(plain, "/compare/")
        boxes = plain.locator(".choice-list input[type=checkbox]")
        assert boxes.count() == 8
        first = label(boxes.first)
        boxes.first.focus()
        plain.keyboard.press("Space")
        plain.get_by_role("button", name="下一页").focus()
        plain.keyboard.press("Enter")
        plain.wait_for_url(re.compile(r"page=2"))
        paged = urlsplit(plain.url)
        assert "第 2 / 3 页" in plain.get_by_role("navigation", name="分页").inner_text()
        kept = plain.get_by_role("group", name="已勾选（其他页的案例）").get_by_role("checkbox")
        assert kept.count() == 1 and kept.is_checked() and label(kept) == first
        second = plain.locator(".choice-group + .choice-group .choice-list input[type=checkbox]").nth(2)
        chosen = label(second)
        second.focus()
        plain.keyboard.press("Space")
        plain.keyboard.press("Enter")  # in the form: its first button, 比较所选案例
        plain.wait_for_url(re.compile(r"/compare/\?case=\d+&case=\d+$"))
        _corner, *columns = plain.locator(".compare-table thead th[scope=col]").all_inner_texts()
        assert len(columns) == 2 and first in columns[0] and chosen in columns[1]
    finally:
        context.close()
    visit(page, f"{paged.path}?{paged.query}")  # the chooser's second page, checked by axe (which needs script)
    assert not serious_violations(page)


def test_add_with_the_keyboard_and_the_bar_never_covers_the_focus(page):
    visit(page, "/search/?q=融资")
    page.locator(".case-card-title a").first.focus()
    page.keyboard.press("Tab")
    button = add_button(page, 0)
    assert button.evaluate("el => el === document.activeElement"), "Tab after the first result misses its button"
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.locator(".case-card").first.locator(".selection-state").filter(has_text="已选").wait_for()
    assert button.evaluate("el => el === document.activeElement"), "the button lost the focus"
    assert header_count(page) == 1
    bar = page.locator(".selection-bar")
    assert bar.is_visible() and bar.evaluate("el => getComputedStyle(el).position") == "sticky"
    # Tab on through the results: the sticky bar must never hide the focused element (WCAG 2.4.11).
    covered = []
    for _ in range(3 * page.locator(".case-card").count()):
        page.keyboard.press("Tab")
        hidden = page.evaluate(
            """() => {
                const el = document.activeElement, bar = document.querySelector(".selection-bar");
                if (!el || el === document.body || bar.contains(el)) return null;
                const box = el.getBoundingClientRect(), barTop = bar.getBoundingClientRect().top;
                return box.bottom > barTop && box.top < innerHeight ? el.outerHTML.slice(0, 80) : null;
            }"""
        )
        if hidden:
            covered.append(hidden)
    assert not covered, covered


def test_the_selection_page_has_no_serious_accessibility_violations(page):
    visit(page, "/search/?q=融资")
    add_button(page, 0).click()
    page.locator(".case-card").first.locator(".selection-state").filter(has_text="已选").wait_for()
    visit(page, "/selection/")
    assert page.locator(".selection-item").count() == 1
    serious = serious_violations(page)
    assert not serious, serious


def test_download_the_csv_and_excel_exports_from_the_results(page, site):
    visit(page, "/search/?q=融资")
    count, links = result_count(page), card_links(page)

    with page.expect_download() as csv_download:
        page.locator(".export").get_by_role("link", name="CSV", exact=True).click()
    download = csv_download.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert header[:3] == ["案例集", "编号", "标题"] and header[-1] == "链接"
    assert len(rows) == count
    assert all(len(row) == len(header) for row in rows)
    assert [urlsplit(row[-1]).path for row in rows] == links  # the page's order
    assert all(row[-1].startswith(site + "/cases/") for row in rows)

    with page.expect_download() as excel_download:
        page.locator(".export").get_by_role("link", name="Excel", exact=True).click()
    download = excel_download.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["案例", "条目"]
    assert book["案例"].max_row == count + 1
    assert [cell.value for cell in book["案例"][1]][:3] == header[:3]
    assert book["条目"].max_row > count


def test_keyboard_skip_link_then_search_box(page):
    visit(page, "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("el => el === document.activeElement"), "Tab does not reach the skip link first"
    assert focus_is_visible(page), "the focused skip link is not visible"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    box = page.get_by_role("combobox", name="检索案例")
    assert box.evaluate("el => el === document.activeElement"), "Tab after the skip link misses the search box"
    assert focus_is_visible(page), "the focused search box shows no focus outline"
    page.keyboard.type("融资")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert result_count(page) > 0


def test_no_sideways_scrolling_at_phone_width(phone):
    visit(phone, "/search/?q=融资")
    case_paths = card_links(phone)
    ids = [path.rstrip("/").rsplit("/", 1)[1] for path in case_paths]
    paths = ["/", "/search/?q=融资", "/search/", *case_paths, "/compare/?" + "&".join(f"case={pk}" for pk in ids[:4])]
    too_wide = {}
    for path in paths:
        visit(phone, path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, wider_than_the_screen(phone))
    assert not too_wide, "\n".join(f"{path}: scrollWidth {w}px; {culprits}" for path, (w, culprits) in too_wide.items())


def wider_than_the_screen(page: Page) -> list[str]:
    """The innermost elements that stick out to the right, to name in a failure."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5)
            .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > innerWidth + 0.5))
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.className ? "." + [...el.classList].join(".") : "")
                 + " right=" + Math.round(el.getBoundingClientRect().right))"""
    )


def axe_source() -> str:
    if not AXE_CORE.exists():
        pytest.fail(f"axe-core is missing: {AXE_CORE} (run `make axe-core`; it needs npm)", pytrace=False)
    return AXE_CORE.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ["/", "/search/?q=融资", "case"])
def test_no_serious_accessibility_violations(page, path):
    source = axe_source()
    if path == "case":
        visit(page, "/search/?q=融资")
        path = card_links(page)[0]
    visit(page, path)
    serious = serious_violations(page, source)
    assert not serious, serious


def serious_violations(page: Page, source: str | None = None) -> str:
    """axe-core's serious and critical findings on the page, one a line."""
    # page.evaluate runs through the DevTools protocol, which the site's
    # Content-Security-Policy (no inline scripts) does not apply to, so axe is
    # injected without bypass_csp and the page is checked under its real CSP.
    page.evaluate(source or axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe checked nothing"
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} — {[node['target'] for node in v['nodes'][:5]]}" for v in serious
    )


def test_the_watch_catches_console_errors_exceptions_and_requests_elsewhere(page, watch):
    """The guard every test relies on catches what it should, and nothing gets out."""
    visit(page, "/")
    page.evaluate("console.error('boom')")
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('uncaught'); })")
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("http://example.com/")
    assert any(problem.startswith("console error: boom") for problem in watch.problems), watch.problems
    assert any(problem.startswith("uncaught exception: ") for problem in watch.problems), watch.problems
    assert "request leaving the site: GET http://example.com/" in watch.problems
    watch.problems.clear()


def test_a_chip_removes_its_filter_and_clear_all_removes_every_one(page):
    visit(page, "/cases/?q=融资&region=zhejiang&topic=finance")
    chips = page.locator(".filter-chip-label")
    assert chips.all_inner_texts() == ["“融资”", "浙江省", "金融服务"]
    assert page.title().startswith(f"“融资” · 浙江省 · 金融服务 · {result_count(page)} 个案例")
    page.get_by_role("link", name=re.compile(r"^去掉地区：\s*浙江省$")).click()
    page.wait_for_url(lambda url: "region=" not in url)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["融资"], "topic": ["finance"]}
    assert chips.all_inner_texts() == ["“融资”", "金融服务"]
    assert page.get_by_role("heading", level=1).inner_text() == f"“融资” · 金融服务 · {result_count(page)} 个案例"
    assert page.locator(".facets a[aria-current=true]").all_inner_texts()[0].startswith("金融服务")
    page.get_by_role("link", name="清除全部").click()
    page.wait_for_url(lambda url: urlsplit(url).query == "")
    assert result_count(page) == 20
    assert page.get_by_role("heading", level=1).inner_text() == "全部案例"
    assert chips.count() == 0


def test_on_a_phone_the_filter_button_tops_the_results_and_leads_to_the_filters(phone):
    visit(phone, "/cases/?region=zhejiang")
    button = phone.get_by_role("link", name=re.compile("按地区、主题筛选"))
    assert button.is_visible()
    box, first_card = button.bounding_box(), phone.locator(".case-card").first.bounding_box()
    facets = phone.locator("#filters").bounding_box()
    assert box["y"] < first_card["y"] < facets["y"], "the button is not above the results, above the filters"
    assert box["y"] + box["height"] <= PHONE["height"], "the button is not on the first screen"
    assert box["width"] > PHONE["width"] / 2 and box["height"] >= 40, "the button is not a clear, tappable button"
    button.click()
    phone.wait_for_url(re.compile(r"#filters$"))
    assert phone.locator("#filters").evaluate("el => el.getBoundingClientRect().top < innerHeight / 2")


def log_in_to_the_admin(page: Page) -> None:
    User.objects.create_superuser("总编", password="a long enough password")
    visit(page, reverse("admin:login"))
    page.get_by_label("用户名").fill("总编")
    page.get_by_label("密码").fill("a long enough password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(reverse("admin:index") + "$"))


def test_the_admin_case_pages_obey_the_csp_and_show_status_and_wide_text(page):
    """Every inline style would be refused by the CSP, a console error that fails the test (the watch).

    The admin's own stylesheet does the layout instead: a draft's badge is red and a
    published case's green, the summary and the items' bodies take the whole width.
    """
    draft = Case.objects.get(number=2)
    Case.objects.filter(pk=draft.pk).update(status=Case.Status.DRAFT)
    log_in_to_the_admin(page)
    visit(page, reverse("admin:cases_case_changelist"))
    assert page.get_by_role("heading", level=1).inner_text() == "选择要修改的案例"
    red, green = page.locator(".status-badge.status-draft"), page.locator(".status-badge.status-published")
    assert red.count() == 1 and red.inner_text() == "草稿" and green.count() == 19
    assert red.evaluate("el => getComputedStyle(el).color") == "rgb(161, 29, 29)"
    assert green.first.evaluate("el => getComputedStyle(el).color") == "rgb(28, 107, 42)"

    page.get_by_role("link", name=draft.title, exact=True).click()
    page.wait_for_url(re.compile(reverse("admin:cases_case_change", args=[draft.pk]) + "$"))
    assert page.get_by_role("heading", level=1).inner_text() == "修改案例"
    status = page.get_by_label("状态")
    assert status.evaluate("el => getComputedStyle(el).color") == "rgb(161, 29, 29)"
    row = page.locator(".form-row.field-summary").bounding_box()
    summary = page.get_by_label("导语").bounding_box()
    assert summary["width"] > 600 and summary["x"] + summary["width"] > row["x"] + row["width"] - 20
    bodies = page.locator(".case-items textarea[name$='-body']:visible")
    assert bodies.count() == draft.items.count()
    assert abs(bodies.first.bounding_box()["width"] - summary["width"]) < 2
    assert summary["height"] > 150  # ten lines, not Django's two-line default

    # A new item (the inline's script copies the empty form) keeps to the CSP too, and is saved at the end.
    page.get_by_role("button", name="再增加一个条目").click()
    assert bodies.count() == draft.items.count() + 1
    new = page.locator(".case-items .inline-related.dynamic-items").last
    new.locator("select[name$='-section']").select_option(label="主要做法")
    new.locator("textarea[name$='-body']").fill("新加的一段正文。")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(reverse("admin:cases_case_changelist") + "$"))
    measures = list(draft.items.filter(section=1).order_by("position").values_list("position", "body"))
    assert measures[-1] == (len(measures), "新加的一段正文。")  # appended to its section, numbered


def editor_page(browser: Browser, watch: Watch, username: str) -> Page:
    """A browser of its own, logged in to the admin as a new member of the editors group."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    page = open_context(browser, watch).new_page()
    visit(page, "/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("correct horse battery")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_two_editors_at_once_the_second_save_shows_what_changed_and_keeps_both(browser, watch):
    from cases.models import Case

    case = Case.objects.get(number=13)
    change = f"/admin/cases/case/{case.pk}/change/"
    first, second = editor_page(browser, watch, "editor-a"), editor_page(browser, watch, "editor-b")
    try:
        visit(second, change)  # the second editor opens the case first …
        visit(first, change)
        second.locator("#id_summary").fill("导语由第二位编辑改写。")
        first.locator("#id_title").fill("创新铁路提单交易模式")
        first.locator("input[name=_save]").click()  # … the first saves first
        first.wait_for_url(re.compile(r"/admin/cases/case/(\?.*)?$"))

        second.locator("input[name=_save]").click()
        second.wait_for_load_state()
        assert "此案例在您打开后已被他人修改" in second.locator(".errorlist.nonfield").inner_text()
        conflict = second.locator("#conflict")
        assert conflict.is_visible() and "这期间的改动" in conflict.inner_text()
        assert conflict.locator("del").all_inner_texts() == ["和规则"]
        assert second.locator("#id_title").input_value() == "创新铁路提单交易模式"
        assert second.locator("#id_summary").input_value() == "导语由第二位编辑改写。"
        case.refresh_from_db()
        assert case.summary != "导语由第二位编辑改写。"

        second.locator("input[name=_save]").click()  # saved after review: both changes are kept
        second.wait_for_url(re.compile(r"/admin/cases/case/(\?.*)?$"))
        case.refresh_from_db()
        assert (case.title, case.summary) == ("创新铁路提单交易模式", "导语由第二位编辑改写。")
    finally:
        first.context.close()
        second.context.close()
    assert not watch.problems, "\n".join(watch.problems)
