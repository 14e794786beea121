"""Caching of public pages and API responses, invalidated by any write, and bounded against abuse.

Every cached entry is keyed by the content version (``search.index.version``,
a database row read once per request); any change to the library bumps it and
makes all earlier entries unreachable at once, in every process. The cache is
Django's: Redis when ``REDIS_URL`` is set, this process's memory otherwise. A
cache that is down is logged and skipped, never an error page.

The key is made only of what the view understands:

* the scheme and host the request was served under (permalinks are absolute;
  the scheme is trusted only from a proxy in ``TRUSTED_PROXIES``, see
  ``config.middleware``), and the path;
* the view's known parameters (``params``), names sorted, each name's values
  in the order given with repeats dropped. Other parameters (``utm_source``…)
  are removed before the view sees the request, so they can neither make new
  entries nor appear in the page's links: what is rendered depends on the key
  alone.

A request with more than ``PAGE_CACHE_MAX_VALUES`` values of one parameter, a
value longer than ``PAGE_CACHE_MAX_VALUE_LENGTH`` or a number not written as
the site writes it (``page=01``, ``case=%204``: each would make another entry of
the same page) is answered but neither read from nor stored in the cache; so is
a response larger than ``PAGE_CACHE_MAX_BYTES``, one that sets a cookie or
changes the session, and one its view marks ``Cache-Control: no-store`` (a page
made from a value the view left out or corrected, such as an unknown region). A
page's forms (the selection's buttons) are stored without their CSRF token,
and each visitor served gets their own.

Staff (an authenticated staff session) see drafts and bypass the cache. So does
a visitor with a selection of cases in the session (``cases.selection``), or a
message about it waiting to be shown: pages may show them, and they are one
visitor's. Everyone else, with or without a session
cookie (a stale or forged one is simply anonymous), shares the cached pages.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token

from cases.selection import NOTICES_KEY as SELECTION_NOTICES_KEY
from cases.selection import SESSION_KEY as SELECTION_SESSION_KEY
from search.index.version import content_version, pinned_content_version

logger = logging.getLogger(__name__)

CACHED_HEADERS = ("Content-Type", "Content-Language")
# The CSRF token of a page's forms (the selection's add and remove buttons) belongs
# to one visitor: it is stored as this placeholder and filled in for each visitor served.
_CSRF_FIELD = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(">)')
_CSRF_PLACEHOLDER = b"\x00csrf-token\x00"

# The parameters each kind of view understands.
SEARCH_PARAMS = frozenset({"q", "region", "topic", "collection", "sort", "page", "page_size"})
FEED_PARAMS = frozenset({"q", "region", "topic", "collection"})
COMPARE_PARAMS = frozenset({"case", "choose", "page"})
PAGE_PARAMS = frozenset({"page"})
SUGGEST_PARAMS = frozenset({"q"})
NO_PARAMS: frozenset[str] = frozenset()

# Parameters read as numbers, and the one way the site writes each of their values.
_NUMBER = re.compile(r"[1-9][0-9]*")
CANONICAL_VALUES = {"page": _NUMBER, "page_size": _NUMBER, "case": _NUMBER, "choose": re.compile("1")}

Params = list[tuple[str, str]]


def canonical_params(query: QueryDict, known: Iterable[str]) -> tuple[Params, bool]:
    """The known parameters in canonical order, and whether they are within the cache's bounds."""
    params: Params = []
    bounded = True
    for name in sorted(set(query) & set(known)):
        values = list(dict.fromkeys(query.getlist(name)))
        shape = CANONICAL_VALUES.get(name)
        if len(values) > settings.PAGE_CACHE_MAX_VALUES or any(
            len(value) > settings.PAGE_CACHE_MAX_VALUE_LENGTH or (shape and not shape.fullmatch(value))
            for value in values
        ):
            bounded = False
        params.extend((name, value) for value in values)
    return params, bounded


def page_cache_key(request: HttpRequest, params: Params, version: int) -> str:
    """The version, then a digest of the scheme, host, path and canonical parameters."""
    served_as = (request.scheme, request.get_host(), request.path, params)
    return f"page:{version}:{hashlib.sha256(repr(served_as).encode()).hexdigest()}"


def cached_page(view: Callable[..., HttpResponse], *, params: Iterable[str] = NO_PARAMS) -> Callable[..., HttpResponse]:
    """Serve a public GET view from the cache; ``params`` names the query parameters it understands.

    The view is always called with only those parameters (canonically ordered);
    see the module's docstring for what is stored and who bypasses the cache.
    """
    known = frozenset(params)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        query, bounded = canonical_params(request.GET, known)
        view_request = _with_query(request, query)
        if request.method != "GET" or not bounded or bypasses_cache(request):
            return _call(view, request, view_request, *args, **kwargs)
        with pinned_content_version():
            version = content_version()
            key = page_cache_key(request, query, version)
            try:
                stored = cache.get(key)
            except Exception:
                logger.warning("cache unavailable: reading a page", exc_info=True)
                return _call(view, request, view_request, *args, **kwargs)
            if stored is not None:
                content, headers = stored
                if _CSRF_PLACEHOLDER in content:  # this visitor's own token in the page's forms
                    content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
                response = HttpResponse(content, headers=headers)
                response["X-Cache"] = "hit"
                return response
            response = _call(view, request, view_request, *args, **kwargs)
            if _storable(response, request):
                headers = {name: response[name] for name in CACHED_HEADERS if name in response}
                content = _CSRF_FIELD.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
                try:
                    cache.set(key, (content, headers), settings.PAGE_CACHE_SECONDS)
                except Exception:
                    logger.warning("cache unavailable: storing a page", exc_info=True)
            response["X-Cache"] = "miss"
            return response

    return wrapper


def bypasses_cache(request: HttpRequest) -> bool:
    """Staff (who see drafts) and visitors with a selection, or a message about it to be shown, get pages made
    for them."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and (session.get(SELECTION_SESSION_KEY) or SELECTION_NOTICES_KEY in session))


def _with_query(request: HttpRequest, params: Params) -> HttpRequest:
    """A copy of the request whose query string holds only ``params``."""
    query_string = urlencode(params)
    view_request = copy.copy(request)
    view_request.GET = QueryDict(query_string, encoding=request.encoding)
    view_request.META = {**request.META, "QUERY_STRING": query_string}
    return view_request


def _call(view: Callable[..., HttpResponse], request: HttpRequest, view_request: HttpRequest, *args, **kwargs):
    """Call the view; what it notes in META for the middleware (a CSRF cookie to set) is passed back."""
    try:
        return view(view_request, *args, **kwargs)
    finally:
        request.META.update((name, value) for name, value in view_request.META.items() if name != "QUERY_STRING")


def _storable(response: HttpResponse, request: HttpRequest) -> bool:
    """A complete, small, public answer: nothing in it is one visitor's."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "no-store" in response.get("Cache-Control", ""):
        return False
    if len(response.content) > settings.PAGE_CACHE_MAX_BYTES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)
