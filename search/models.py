import re

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models

from search.index.text import TOKEN, normalise, query_tokens


class FacetSet(models.Model):
    """A combination of regions and topics that cases carry; facet counts group cases by it.

    The id lists are sorted and space-separated, so each combination is stored once.
    """

    region_ids = models.TextField(blank=True)
    topic_ids = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_ids", "topic_ids"], name="search_facetset_unique")]
        verbose_name = "地区与主题组合"
        verbose_name_plural = "地区与主题组合"

    def __str__(self) -> str:
        return f"地区 {self.region_ids or '-'} / 主题 {self.topic_ids or '-'}"


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key that SQLite keeps as the table's rowid.

    SQLite makes only an ``integer primary key`` column the rowid; the default
    ``bigint`` adds an index beside the table, and a lookup by case id then walks
    two b-trees. Counting a large result set looks up one row per match.
    """

    def db_type(self, connection) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class SearchDocument(models.Model):
    """The row of one case that matching and counting read, kept narrow on purpose.

    Counting a result set reads one row per matching case, so the counts of a
    hundred thousand matches stay cheap: whether the case is published, its
    combination of regions and topics, and on PostgreSQL ``vector``, the
    weighted tsvector (GIN indexed, stored out of line, see migration 0003).
    On SQLite the FTS5 table ``search_fts`` holds the tokens instead. The index
    structures are created by migration 0002 for the database in use.
    """

    case = RowidOneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    published = models.BooleanField(default=False)
    facet_set = models.ForeignKey(FacetSet, on_delete=models.PROTECT, related_name="+")
    vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"

    def __str__(self) -> str:
        return f"检索文档 {self.case_id}"


class SearchText(models.Model):
    """The segmented text of one case, by field: space-separated tokens (see ``search.index.text``)."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="search_text", verbose_name="案例"
    )
    title_tokens = models.TextField("标题分词", blank=True)
    label_tokens = models.TextField("地区和主题分词", blank=True)
    heading_tokens = models.TextField("要点分词", blank=True)
    body_tokens = models.TextField("导语和正文分词", blank=True)

    class Meta:
        verbose_name = "分词文本"
        verbose_name_plural = "分词文本"

    def __str__(self) -> str:
        return f"分词文本 {self.case_id}"


class Champion(models.Model):
    """One of the cases in which a token weighs most (a "champion list").

    A word found in very many cases is ranked only among its champions (see
    ``search.index.champions``): ranking every one of a hundred thousand matches is
    what makes common words slow.
    """

    token = models.CharField(max_length=64)
    # Without a database constraint: a case has hundreds of entries, and PostgreSQL would check each at commit
    # (seconds for an import of a thousand cases). The index deletes a case's entries with it (case_unindex, and
    # the ORM's cascade), and a rebuild drops those of cases deleted meanwhile.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    weight = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["token", "-weight", "case"], name="search_champion_by_weight")]
        verbose_name = "词的高权重案例"
        verbose_name_plural = "词的高权重案例"

    def __str__(self) -> str:
        return f"{self.token} → {self.case_id}"


class ChampionFloor(models.Model):
    """Where a token's champion list was cut: every published case weighing more than this is listed."""

    token = models.CharField(max_length=64, primary_key=True)
    weight = models.FloatField()

    class Meta:
        verbose_name = "高权重案例的门槛"
        verbose_name_plural = "高权重案例的门槛"

    def __str__(self) -> str:
        return f"{self.token} ≥ {self.weight:.3f}"


# Words of a synonym group are separated by spaces, 、 ， , ; or ； (full-width forms become half-width in normalise).
SYNONYM_SEPARATORS = re.compile(r"[\s、,;]+")


def synonym_words(text: str) -> list[str]:
    """The words of a synonym group as typed: normalised, in order, each once."""
    return list(dict.fromkeys(word for word in SYNONYM_SEPARATORS.split(normalise(text)) if word))


class Synonym(models.Model):
    """A group of words that mean the same to someone searching: a query for one also finds the others.

    Applied when a query is planned (see ``search.index.synonyms``), so an edit
    takes effect at once, with no reindexing. Each word must be one word of the
    query's segmentation: a word that jieba splits in two could never be looked up.
    """

    words = models.CharField(
        "同义词",
        max_length=500,
        help_text="两个或更多意思相同的词，用空格或顿号分隔，如“外国 外籍 境外”。",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "同义词组"
        verbose_name_plural = "同义词组"
        ordering = ["words"]

    def __str__(self) -> str:
        return " / ".join(self.word_list())

    def word_list(self) -> list[str]:
        return synonym_words(self.words)

    def clean(self) -> None:
        words = synonym_words(self.words)
        problems = []
        for word in words:
            tokens = query_tokens(word)
            if not TOKEN.fullmatch(word):
                problems.append(f"“{word}”含有标点或符号。")
            elif tokens != [word]:
                problems.append(
                    f"“{word}”在检索时会被切分为“{' / '.join(tokens)}”，不能作为一个词匹配；"
                    "请改用其中的词，或请技术人员把它加入词典。"
                )
        if problems:
            raise ValidationError({"words": problems})
        if len(words) < 2:
            raise ValidationError({"words": "同义词组至少需要两个不同的词。"})
        self.words = " ".join(words)


class IndexWord(models.Model):
    """A word of the published cases, with its pinyin: what pinyin queries and suggestions look up.

    Rebuilt from the segmented text with the index (see ``search.index.vocabulary``).
    """

    token = models.CharField("词", max_length=64, primary_key=True)
    pinyin = models.CharField("拼音", max_length=400, db_index=True, help_text="不带声调，无空格，小写")
    initials = models.CharField("首字母", max_length=64, db_index=True, blank=True)
    cases = models.PositiveIntegerField("案例数", default=0, help_text="含有这个词的已发布案例数")

    class Meta:
        verbose_name = "索引词"
        verbose_name_plural = "索引词"

    def __str__(self) -> str:
        return f"{self.token}（{self.pinyin}）"


class ContentVersion(models.Model):
    """The content version (see ``search.index.version``): one row, bumped in the transaction of every write.

    Kept in the database rather than the cache, so that every process sees a
    bump the moment the write commits, and a rolled-back write bumps nothing.
    """

    version = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = "内容版本"
        verbose_name_plural = "内容版本"

    def __str__(self) -> str:
        return f"内容版本 {self.version}"


class RelatedTerms(models.Model):
    """The strongest content words of one case with their TF-IDF weights (unit length): what related cases compare.

    ``terms`` is ``word:weight`` pairs separated by spaces, strongest first (see ``search.index.related``).
    """

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    terms = models.TextField(blank=True)

    class Meta:
        verbose_name = "相关词向量"
        verbose_name_plural = "相关词向量"

    def __str__(self) -> str:
        return f"相关词向量 {self.case_id}"


class RelatedCase(models.Model):
    """One of a case's related cases, stored when the case is indexed (see ``search.index.related``).

    ``topics`` and ``words`` are the reasons shown (the shared topics' names, the
    shared words that weigh most), separated by spaces; ``rank`` orders a case's list from 1.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    related = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    topics = models.CharField(max_length=200, blank=True)
    words = models.CharField(max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "相关案例"
        verbose_name_plural = "相关案例"
        indexes = [models.Index(fields=["case", "rank"], name="search_related_by_rank")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.related_id}"
