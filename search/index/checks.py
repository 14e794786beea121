from django.core.checks import Error, register
from django.db import connections

from .backends.sqlite import fts5_available


@register()
def sqlite_has_fts5(app_configs, **kwargs) -> list[Error]:
    """Search on SQLite needs FTS5; say so at start-up rather than at the first search."""
    if any(conn.vendor == "sqlite" for conn in connections.all()) and not fts5_available():
        return [
            Error(
                "此 SQLite 库未编译 FTS5 全文检索模块，检索无法工作。",
                hint="请使用带 FTS5 的 SQLite（Python 官方发行版均带有），或设置 DATABASE_URL 使用 PostgreSQL。",
                id="search.E001",
            )
        ]
    return []
