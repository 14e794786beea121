from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"

    def ready(self) -> None:
        from .index import checks, signals  # noqa: F401  (registers the check, connects index maintenance)
