"""Property-based hostile input for every public endpoint (and the admin login form).

Whatever arrives in the query string, the path or a login form — any Unicode
text including NUL, very long strings, repeated and unknown parameters,
numbers that are negative, huge or not quite numbers, broken percent-escapes —
the site must

* never answer with a server error (status < 500, and no exception escapes:
  the test client re-raises a view's exception, so Hypothesis reports it);
* never echo markup it was sent: the values carry *probes* (``<x-probe …>``,
  ``"><script>…``, an attribute breaker, a pre-escaped ``&lt;y-probe&gt;``),
  and no HTML body may contain the start of a probe verbatim — only its
  escaped (or URL-encoded) form;
* answer JSON that parses when it says it is JSON, and a real file when an
  export succeeds.

How many examples each property gets comes from the Hypothesis profile (see the
root conftest.py): a small fixed set in the suite, many random ones with
``make fuzz``. Inputs that once failed are pinned with ``@example``.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from search.service import Sort

pytestmark = pytest.mark.django_db


# Probes and what must never appear verbatim in HTML ----------------------------

PROBES = [
    '<x-probe data-n="{n}">',
    '"><script>probe{n}()</script>',
    "'><img src=x onerror=probe{n}()>",
    '" autofocus onfocus="probe{n}()',
    "</textarea></title><x-probe-{n}>",
    "&lt;y-probe{n}&gt;",
]
# The start of each probe, short enough to survive a value cut to 20 characters. Each holds a
# character that HTML escaping changes, and none occurs in a page by itself.
MARKERS = ["<x-probe", "<script>probe", "<img src=x", '" autofocus onfocus', "</textarea></title>", "&lt;y-probe"]


def assert_safe(response) -> bytes:
    """The shared properties; returns the body (streamed bodies are read to the end here)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, body[:500]
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        html = body.decode(response.charset or "utf-8")
        for marker in MARKERS:
            assert marker not in html, f"unescaped {marker!r} in the page"
    elif content_type.startswith("application/json"):
        json.loads(body)
    return body


# Strategies -----------------------------------------------------------------------

# Any code point but surrogates (they cannot be sent as UTF-8), NUL and controls included.
any_text = st.text(max_size=40)
long_text = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=6), st.integers(100, 3000))
numbers = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(
        ["0", "-1", "1", "2", "20", "21", "101", "9" * 19, "9" * 40, "1e309", "NaN", "inf", "0x10", " 3 ", "1.5"]
    ),
    st.sampled_from(["１", "٣", "²", "Ⅻ", "3\x00", "+5", "-0", "00000000000000000001"]),  # digits that are not ASCII
)
probe = st.builds(
    lambda before, template, n, after: before + template.format(n=n) + after,
    st.text(max_size=8),
    st.sampled_from(PROBES),
    st.integers(0, 999),
    st.text(max_size=8),
)
KNOWN = [
    "hubei",
    "zhejiang",
    "wuhan",
    "finance",
    "talent",
    "logistics",
    Sort.RELEVANCE,
    Sort.NUMBER,
    "融资",
    "铁路提单",
]
value = st.one_of(any_text, numbers, probe, long_text, st.sampled_from(KNOWN))
PARAMETERS = ["q", "region", "topic", "sort", "page", "page_size", "case", "next", "format"]
key = st.one_of(st.sampled_from(PARAMETERS), any_text, probe)


def pairs(keys=key, values=value, max_size=8):
    """A query string's (key, value) pairs: keys may repeat, be empty, odd or unknown."""
    return st.lists(st.tuples(keys, values), max_size=max_size)


def query_string(items: list[tuple[str, str]]) -> str:
    return urlencode(items)


# Raw query strings: broken percent-escapes, invalid UTF-8, stray separators.
raw_query = st.lists(
    st.one_of(
        st.sampled_from(["&", "=", ";", "%", "%2", "%zz", "%FF", "%C3%28", "%00", "%ED%A0%80", "+", "q=", "page="]),
        st.sampled_from(PARAMETERS).map(lambda name: f"{name}="),
        st.text(max_size=10).map(lambda text: quote(text, safe="=&;%+")),
    ),
    max_size=12,
).map("".join)

# A path segment: anything, percent-encoded; sometimes with its slashes kept (more segments).
segment = st.one_of(any_text, numbers, probe, long_text, st.sampled_from(["", ".", "..", "%", "hubei", "finance"]))


def path_of(prefix: str, text: str, keep_slashes: bool, trailing_slash: bool) -> str:
    return prefix + quote(text, safe="/" if keep_slashes else "") + ("/" if trailing_slash else "")


def get(client, path: str, items: list[tuple[str, str]] | None = None, raw: str | None = None):
    """GET with a hand-made query string (the test client would otherwise re-encode a dict)."""
    return client.get(path, QUERY_STRING=raw if raw is not None else query_string(items or []))


# Properties -----------------------------------------------------------------------

SEARCH_KEYS = st.one_of(st.sampled_from(["q", "region", "topic", "sort", "page"]), key)


@given(path=st.sampled_from(["search:search", "cases:case_list"]), items=pairs(keys=SEARCH_KEYS))
def test_search_and_browse_pages(client, path, items):
    assert_safe(get(client, reverse(path), items))


@given(items=pairs(keys=st.one_of(st.sampled_from(["q", "region", "topic", "sort", "page", "page_size"]), key)))
def test_api_case_list(client, items):
    response = get(client, reverse("api:case_list"), items)
    assert_safe(response)
    assert response["Content-Type"].startswith("application/json")
    assert response.status_code in {200, 400, 404}


@given(text=segment, keep_slashes=st.booleans(), trailing_slash=st.booleans(), items=pairs(max_size=3))
def test_api_case_detail_and_regions(client, text, keep_slashes, trailing_slash, items):
    assert_safe(get(client, path_of("/api/cases/", text, keep_slashes, trailing_slash), items))
    regions = get(client, reverse("api:region_list"), items)
    assert_safe(regions)
    assert regions.status_code == 200


@given(
    prefix=st.sampled_from(["/cases/", "/regions/", "/topics/"]),
    text=segment,
    keep_slashes=st.booleans(),
    trailing_slash=st.booleans(),
    items=pairs(max_size=3),
)
def test_case_region_and_topic_pages(client, prefix, text, keep_slashes, trailing_slash, items):
    assert_safe(get(client, path_of(prefix, text, keep_slashes, trailing_slash), items))


@given(
    cases=st.lists(st.one_of(numbers, st.integers(1, 25).map(str), probe, any_text, long_text), max_size=7),
    items=pairs(max_size=3),
)
def test_compare(client, cases, items):
    response = get(client, reverse("cases:compare"), [("case", case) for case in cases] + items)
    assert_safe(response)
    assert response.status_code in {200, 400}


EXPORTS = ["export:cases_csv", "export:cases_json", "export:cases_xlsx", "export:briefing_docx"]


@given(
    name=st.sampled_from(EXPORTS),
    items=pairs(keys=st.one_of(st.sampled_from(["q", "region", "topic", "sort", "case"]), key), max_size=6),
)
def test_exports(client, name, items):
    response = get(client, reverse(name), items)
    body = assert_safe(response)
    if response.status_code == 200:
        if name == "export:cases_json":
            assert isinstance(json.loads(body), list | dict)
        elif name in {"export:cases_xlsx", "export:briefing_docx"}:
            assert body.startswith(b"PK")  # a zip container
        else:
            body.decode("utf-8")
    else:
        assert response.status_code in {400, 404}
        assert response["Content-Type"].startswith("text/html") and "<h1>未能导出</h1>" in body.decode()


LONGEST_USERNAME = 150  # django.contrib.auth's User.username


@given(
    username=value,
    password=st.one_of(value, st.text(min_size=1000, max_size=1200)),
    extra=pairs(max_size=3),
    next_url=st.one_of(st.none(), value, st.sampled_from(["//evil.example/", "javascript:alert(1)", "/admin/"])),
)
# Was a 500 on PostgreSQL: django-axes recorded the failure in a varchar(255) column.
@example(username="0" * 256, password="0", extra=[], next_url=None)
@example(username="ﷺ" * 20, password="0", extra=[], next_url=None)  # NFKC makes each one 18 characters
@example(username="a\x00b", password="c\x00d", extra=[("username", "x")], next_url="\x00")
def test_admin_login_form(client, username, password, extra, next_url):
    url = reverse("admin:login")
    if next_url is not None:
        url += "?" + urlencode({"next": next_url})
    form = urlencode([("username", username), ("password", password), *extra])
    response = client.post(url, form, content_type="application/x-www-form-urlencoded")
    assert_safe(response)
    # Nobody is logged in by a random form: the form comes back (200), the request is refused, or
    # repeated failures for one username lock it out (429, django-axes).
    assert response.status_code in {200, 400, 403, 429}
    assert_safe(get(client, url))


def test_an_overlong_username_is_a_form_error_not_a_server_error(client):
    response = client.post(reverse("admin:login"), {"username": "x" * 256, "password": "secret"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not AccessAttempt.objects.exists()
    # The longest possible username still counts towards the lockout.
    client.post(reverse("admin:login"), {"username": "x" * LONGEST_USERNAME, "password": "secret"})
    assert AccessAttempt.objects.filter(username="x" * LONGEST_USERNAME).exists()


# Header values arrive as bytes; WSGI hands them over decoded as Latin-1.
header_text = st.text(alphabet=st.characters(max_codepoint=255), max_size=60)
HEADERS = [
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_COOKIE",
    "HTTP_ACCEPT",
    "HTTP_IF_NONE_MATCH",
]


@given(
    path=st.sampled_from(
        [
            "search:search",
            "cases:case_list",
            "api:case_list",
            "api:region_list",
            "cases:compare",
            "export:cases_csv",
            "export:cases_json",
            "admin:login",
        ]
    ),
    method=st.sampled_from(["GET", "GET", "HEAD", "POST", "OPTIONS"]),
    raw=raw_query,
    headers=st.dictionaries(st.sampled_from(HEADERS), header_text, max_size=3),
)
def test_raw_query_strings_methods_and_headers(client, path, method, raw, headers):
    response = client.generic(method, reverse(path), QUERY_STRING=raw, **headers)
    if method == "HEAD":  # headers only: the client drops the body, as a server must
        assert response.status_code < 500
    else:
        assert_safe(response)


# The probes are really reflected (escaped), so the properties above are not vacuous.


@pytest.mark.parametrize("template", PROBES)
def test_probes_are_echoed_escaped(client, template):
    text = template.format(n=7)
    search = get(client, reverse("search:search"), [("q", text), ("region", text)])
    login = client.post(reverse("admin:login"), {"username": text, "password": "x"})
    compare = get(client, reverse("cases:compare"), [("case", text[:20]), ("case", "1")])
    for response, echoed in [(search, text), (login, text), (compare, text[:20])]:
        html = assert_safe(response).decode()
        assert escape(echoed) in html
        assert echoed not in html
