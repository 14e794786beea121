"""The addresses of the library's pages, remembered: a list page asks for about a hundred of them.

``reverse()`` walks the URL patterns each time (some 25 µs); the address of a
case, a region or a topic depends only on the view, its argument, the script
prefix the site is served under and the URL configuration, so it is kept for
the life of the process (at most ``MAX_ADDRESSES``; a renamed slug is a new
argument, so nothing goes stale).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

MAX_ADDRESSES = 65536


def page_url(viewname: str, *arguments: str | int) -> str:
    """``reverse(viewname, args=arguments)``, remembered."""
    return _page_url(viewname, arguments, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=MAX_ADDRESSES)
def _page_url(viewname: str, arguments: tuple[str | int, ...], prefix: str, urlconf: str) -> str:
    return reverse(viewname, args=arguments, urlconf=urlconf)
