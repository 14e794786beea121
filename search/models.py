from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """The segmented text of one case, by field, as the search backends index it.

    Each ``*_tokens`` column holds space-separated tokens (see ``search.text``).
    On PostgreSQL ``vector`` is the weighted tsvector built from them (GIN
    indexed); on SQLite the FTS5 table ``search_fts`` holds the same tokens.
    The index structures are created by migration 0002 for the database in use.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    title_tokens = models.TextField(blank=True)
    label_tokens = models.TextField(blank=True, help_text="regions and topics")
    heading_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"

    def __str__(self) -> str:
        return f"检索文档 {self.case_id}"
