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


class FacetKey(models.Model):
    """What the facet counts of one case group by: whether it is published, its regions and its topics.

    Narrow on purpose: counting a result set reads one of these rows per
    matching case, so the counts of a hundred thousand matches stay cheap.
    The id lists are space-separated and sorted, so equal sets group together.
    """

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    published = models.BooleanField()
    region_ids = models.CharField(max_length=200, blank=True)
    topic_ids = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"分面键 {self.case_id}"


class Champion(models.Model):
    """One of the cases in which a token weighs most (a "champion list").

    A word found in very many cases is ranked only among its champions (see
    ``search.champions``): ranking every one of a hundred thousand matches is
    what makes common words slow.
    """

    token = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["token", "-weight"], name="search_champion_by_weight")]

    def __str__(self) -> str:
        return f"{self.token} → {self.case_id}"


class ChampionFloor(models.Model):
    """The weight below which a token's champion list was cut; every case weighing at least this is listed."""

    token = models.CharField(max_length=64, primary_key=True)
    weight = models.FloatField()

    def __str__(self) -> str:
        return f"{self.token} ≥ {self.weight:.3f}"
