"""Operational endpoints."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import Case
from search.index.backends import get_backend
from search.index.query import parse_query
from search.models import SearchDocument

PROBE = "服务"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every case is in the search index; 503 otherwise."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        cases, indexed = Case.objects.count(), SearchDocument.objects.count()
        # The index structures answer a query: one match is enough (ranking every match of a common
        # word would cost as much as a search, on every poll of a load balancer).
        SearchDocument.objects.filter(case_id__in=get_backend().match_ids(parse_query(PROBE))).exists()
        checks["search"] = {"cases": cases, "indexed": indexed}
        if cases != indexed:
            healthy = False
            checks["search"]["problem"] = "index out of step: run manage.py reindex"
    except DatabaseError as error:
        healthy = False
        checks.setdefault("database", f"error: {error.__class__.__name__}")
        checks.setdefault("search", "unknown")
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
