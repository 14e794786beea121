from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import reversion
from django.db import models

from regions.models import Region
from regions.permalinks import page_url

from .importer import (
    MAX_HEADING_CHARS,
    MAX_PROVIDER_CHARS,
    MAX_TITLE_CHARS,
    PROVIDER_SEPARATORS,
    PROVIDER_SUFFIX,
)
from .numbering import chinese_numeral


class CollectionManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Collection:
        return self.get(slug=slug)


class Collection(models.Model):
    """One published batch of cases, e.g. the 2020 service-trade best practices."""

    slug = models.SlugField("标识", max_length=80, unique=True)
    title = models.CharField("标题", max_length=200)
    issuer = models.CharField("发布机构", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    source_note = models.TextField("来源说明", blank=True)

    objects = CollectionManager()

    class Meta:
        verbose_name = "案例集"
        verbose_name_plural = "案例集"
        ordering = ["-year", "slug"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class TopicManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Topic:
        return self.get(slug=slug)


class Topic(models.Model):
    """A curated sector or theme (金融服务, 物流运输, …)."""

    name = models.CharField("名称", max_length=40, unique=True)
    slug = models.SlugField("标识", max_length=60, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("排序", default=0)

    objects = TopicManager()

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("cases:topic_detail", self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class CaseQuerySet(models.QuerySet):
    def published(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.PUBLISHED)

    def in_regions(self, regions: Iterable[Region]) -> CaseQuerySet:
        """Cases of any of these regions, a province including its cities and new areas."""
        wanted = Region.objects.filter(pk__in=[region.pk for region in regions]).with_descendants()
        links = Case.regions.through.objects.filter(region__in=wanted)
        return self.filter(pk__in=links.values("case_id"))

    def with_topics(self, topics: Iterable[Topic]) -> CaseQuerySet:
        """Cases with any of these topics."""
        links = Case.topics.through.objects.filter(topic__in=[topic.pk for topic in topics])
        return self.filter(pk__in=links.values("case_id"))


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    collection = models.ForeignKey(Collection, verbose_name="案例集", on_delete=models.PROTECT, related_name="cases")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("标题", max_length=MAX_TITLE_CHARS)
    provider = models.CharField("提供单位", max_length=MAX_PROVIDER_CHARS, help_text="照原文，如“上海市、天津市提供”。")
    summary = models.TextField("导语", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    regions = models.ManyToManyField("regions.Region", verbose_name="地区", related_name="cases")
    topics = models.ManyToManyField(Topic, verbose_name="主题", related_name="cases", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Counts the saves of the case and its items (cases.services.case_touch); a
    # save that started from an older version is refused rather than overwriting.
    version = models.PositiveIntegerField("版本号", default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案例"
        verbose_name_plural = "案例"
        ordering = ["collection__year", "collection__slug", "number"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "number"], name="unique_case_number"),
        ]
        permissions = [("import_documents", "可以导入原文")]

    def __str__(self) -> str:
        return f"{self.number}．{self.title}"

    def get_absolute_url(self) -> str:
        return page_url("cases:case_detail", self.pk)

    def citation(self, *, url: str, accessed: datetime.date) -> str:
        """The case's reference in the GB/T 7714-2015 form of a part of an online collection:

        重庆两江新区. 创新铁路提单交易模式和规则[EB/OL]//商务部. 服务贸易创新发展试点最佳实践案例（2020）.
        2020[2026-11-30]. https://…/cases/13/.

        The providers are the authors, three at most and then 等 (§8.1.2); the
        collection's issuer is its author. An online resource without a place
        or publisher leaves them out, so the year stands alone before the
        access date.
        """
        authors, more = self.citation_authors()
        names = ", ".join([*authors, "等"] if more else authors)
        collection = self.collection
        host = f"{collection.issuer}. {collection.title}" if collection.issuer else collection.title
        year = str(collection.year) if collection.year else ""
        return f"{names}. {self.title}[EB/OL]//{host}. {year}[{accessed.isoformat()}]. {url}."

    def citation_authors(self) -> tuple[list[str], bool]:
        """The providers as printed (上海市、天津市提供 → 上海市, 天津市), at most three, and whether there are more.

        杭州市、武汉市、成都市等试点地区提供 names three of more providers.
        """
        match = PROVIDER_SUFFIX.search(self.provider)
        names = [name.strip() for name in PROVIDER_SEPARATORS.split(PROVIDER_SUFFIX.sub("", self.provider))]
        names = [name for name in names if name]
        return names[:3], len(names) > 3 or bool(match and match.group(1))

    def numbered_items(self, items: Iterable[CaseItem] | None = None) -> dict[int, list[NumberedItem]]:
        """Each section's items in order, numbered items with their numerals (（一）, （二）, …).

        ``items`` are the case's items when the caller has read them (else ``self.items``): anything with
        their ``section``, ``position``, ``heading``, ``body`` and ``numbered``.
        """
        sections: dict[int, list[NumberedItem]] = {}
        for section, in_section in self.items_by_section(items).items():
            numbered, rows = 0, []
            for order, item in enumerate(in_section, start=1):
                numeral = ""
                if item.numbered or item.heading:
                    numbered += 1
                    numeral = chinese_numeral(numbered)
                rows.append(NumberedItem(section, order, numeral, item.heading, item.body))
            sections[section] = rows
        return sections

    def items_by_section(self, items: Iterable[CaseItem] | None = None) -> dict[int, list[CaseItem]]:
        """Items grouped by section in document order (``items``, else ``self.items``, prefetched or not)."""
        grouped: dict[int, list[CaseItem]] = {section: [] for section in SECTIONS}
        for item in self.items.all() if items is None else items:
            grouped[item.section].append(item)
        for in_section in grouped.values():
            in_section.sort(key=lambda item: item.position)
        return grouped


@dataclass(frozen=True)
class NumberedItem:
    """An item with its place: ``order`` counts all items of its section, ``numeral`` only the numbered ones."""

    section: int
    order: int
    numeral: str  # 一, 二, … for a numbered item (with or without heading); empty for an unnumbered paragraph
    heading: str
    body: str

    @property
    def section_label(self) -> str:
        return CaseItem.Section(self.section).label

    @property
    def text(self) -> str:
        """The item as the document prints it: （一）Heading.Body."""
        return f"（{self.numeral}）{self.heading}{self.body}" if self.numeral else self.body

    @property
    def printed_body(self) -> str:
        """The body as the page prints it: a numbered item without heading starts with its numeral."""
        return f"（{self.numeral}）{self.body}" if self.numeral and not self.heading else self.body


class CaseItem(models.Model):
    """One item of a section: a numbered point, or an unnumbered paragraph."""

    class Section(models.IntegerChoices):
        MEASURE = 1, "主要做法"
        OUTCOME = 2, "实践效果"
        NEXT_STEP = 3, "下一步工作思路"

    case = models.ForeignKey(Case, verbose_name="案例", on_delete=models.CASCADE, related_name="items")
    section = models.PositiveSmallIntegerField("部分", choices=Section.choices)
    position = models.PositiveSmallIntegerField("序号", default=1)
    heading = models.CharField(
        "要点",
        max_length=MAX_HEADING_CHARS,
        blank=True,
        help_text="编号条目的第一句（简短的小标题）；无小标题的条目留空。",
    )
    body = models.TextField("正文", blank=True)
    # An item numbered in the source keeps its numeral even without a heading
    # (an outcome stated in one long sentence); an item with a heading is always numbered.
    numbered = models.BooleanField("编号条目", default=False)

    class Meta:
        verbose_name = "条目"
        verbose_name_plural = "条目"
        # Positions are not unique in the database so that editors can reorder
        # items in one save; the importer always writes 1, 2, 3, ….
        ordering = ["case", "section", "position", "pk"]
        indexes = [models.Index(fields=["case", "section", "position"])]

    def __str__(self) -> str:
        return self.heading or self.body[:30]


SECTIONS = tuple(CaseItem.Section.values)  # in document order (``Section.values`` builds the list each time)


class ImportedText(models.Model):
    """A text of a case as the source document gave it at the last import, kept as a digest.

    One row per field (title, provider, summary: section and position 0) and per
    part of an item (heading, body: at its section and position). The next
    import compares the current text and the source's with it, to tell an
    editor's correction (kept) from a change in the source (taken) and from
    both (a conflict).
    """

    case = models.ForeignKey(Case, verbose_name="案例", on_delete=models.CASCADE, related_name="imported_texts")
    section = models.PositiveSmallIntegerField("部分", default=0)
    position = models.PositiveSmallIntegerField("序号", default=0)
    field = models.CharField("字段", max_length=10)
    digest = models.CharField("摘要值", max_length=64)  # sha256 of the normalised text

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        constraints = [
            models.UniqueConstraint(fields=["case", "section", "position", "field"], name="unique_imported_text"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.section}.{self.position}.{self.field}"


class ImportRun(models.Model):
    """A confirmed import, by the token of its preview: confirming the same preview twice imports it once."""

    token = models.CharField("令牌", max_length=64, unique=True)
    collection = models.ForeignKey(
        Collection, verbose_name="案例集", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入"
        verbose_name_plural = "导入"

    def __str__(self) -> str:
        return self.token


# Revision history (see cases/history.py): a case and its items are saved
# together in each revision, whichever of them was edited, so that every
# revision is a whole snapshot of the case that can be compared and restored.
UNVERSIONED_CASE_FIELDS = ("created_at", "updated_at")
VERSIONED_CASE_FIELDS = [
    field.name
    for field in [*Case._meta.local_fields, *Case._meta.local_many_to_many]
    if field.name not in UNVERSIONED_CASE_FIELDS
]
reversion.register(Case, fields=VERSIONED_CASE_FIELDS, follow=["items"])
reversion.register(CaseItem, follow=["case"])
