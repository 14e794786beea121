"""A database that cannot be reached gives a 503 page, not a traceback or a hung worker."""

import logging
from collections.abc import Callable

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
