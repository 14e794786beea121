"""A database that cannot be reached gives a 503 page, not a traceback or a hung worker; forwarding headers
count only from the trusted proxy."""

import functools
import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError) or not _is_unavailable(exception):
            return None
        logger.error("database unavailable: %s", exception.__class__.__name__, extra={"path": request.path})
        return service_unavailable()


def _is_unavailable(exception: DatabaseError) -> bool:
    """Connection trouble, as opposed to an error in a statement (which stays a 500)."""
    if isinstance(exception, InterfaceError):
        return True
    cause = exception.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    # PostgreSQL: connection exceptions (08…), server shutting down (57P…), no reply at all (None).
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


def service_unavailable() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# The headers a reverse proxy sets about the client's request; Django reads the scheme from
# X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), login throttling the address from X-Forwarded-For.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
)


class TrustedProxyMiddleware:
    """Forwarding headers count only when the request comes from a proxy in ``TRUSTED_PROXIES``.

    From any other address they are removed before anything reads them, so a
    client cannot claim HTTPS (and get https links, or a cached page keyed by
    them), another host, or another address to dodge login throttling.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for name in FORWARDED_HEADERS:
                request.META.pop(name, None)
        return self.get_response(request)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@functools.cache
def _networks(proxies: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
