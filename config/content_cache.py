"""Caching of public pages and API responses, invalidated by any write.

Every cached entry is keyed by a content version; any change to the library
(the search index follows every write, and bumps the version as it does)
makes all earlier entries unreachable at once. The cache is Django's: Redis
when ``REDIS_URL`` is set, this process's memory otherwise. A cache that is
down is logged and skipped, never an error page.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from search.index.version import content_version

logger = logging.getLogger(__name__)

CACHED_HEADERS = ("Content-Type", "Content-Language")
# The CSRF token of a page's forms (the selection's add and remove buttons) belongs
# to one visitor: it is stored as this placeholder and filled in for each visitor served.
_CSRF_FIELD = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(">)')
_CSRF_PLACEHOLDER = b"\x00csrf-token\x00"


def page_cache_key(request: HttpRequest) -> str:
    """The version and the path with its parameters in a canonical order."""
    params = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    digest = hashlib.sha256(repr((request.path, params)).encode()).hexdigest()
    return f"page:{content_version()}:{digest}"


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public GET view's successful responses for anonymous visitors.

    Staff (anyone with a session) see drafts and are never served from or
    stored in the cache; nor are visitors with a selection of cases, which
    lives in their session. A page with forms is stored without its CSRF
    token, and each visitor gets a page with their own.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = page_cache_key(request)
        try:
            stored = cache.get(key)
        except Exception:
            logger.warning("cache unavailable: reading a page", exc_info=True)
            return view(request, *args, **kwargs)
        if stored is not None:
            content, headers = stored
            if _CSRF_PLACEHOLDER in content:
                content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {name: response[name] for name in CACHED_HEADERS if name in response}
            try:
                content = _CSRF_FIELD.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
                cache.set(key, (content, headers), settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("cache unavailable: storing a page", exc_info=True)
            response["X-Cache"] = "miss"
        return response

    return wrapper
