"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment (GUNICORN_* below), so the
same file serves a two-core test machine and a larger server.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so memory stays bounded over weeks of uptime.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the app (and jieba's dictionary) once in the master; workers share its memory.
preload_app = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One JSON object per request: easy to ship to a log store.
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": %(B)s, "duration_ms": %(M)s, "agent": "%(a)s"}'
)
# Gunicorn takes the scheme from no header: Django alone does, and only from a proxy in
# TRUSTED_PROXIES (config.middleware.TrustedProxyMiddleware), so there is one list to keep.
secure_scheme_headers: dict[str, str] = {}


def post_fork(server, worker):
    """Connections must not be shared across the fork (preload_app opens none, but be sure)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
