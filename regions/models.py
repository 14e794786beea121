from __future__ import annotations

from django.db import models
from django.urls import reverse


class RegionQuerySet(models.QuerySet):
    def provinces(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.PROVINCE)

    def with_descendants(self) -> RegionQuerySet:
        """These regions and every region under them (cities and new areas of a province)."""
        ids = set(self.values_list("pk", flat=True))
        frontier = ids
        while frontier:
            frontier = set(
                Region.objects.filter(parent__in=frontier).values_list("pk", flat=True)
            ) - ids
            ids |= frontier
        return Region.objects.filter(pk__in=ids)


class RegionManager(models.Manager.from_queryset(RegionQuerySet)):
    def get_by_natural_key(self, slug: str) -> Region:
        return self.get(slug=slug)


class Region(models.Model):
    """A division of mainland China: province level, city, or state-level new area."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级行政区"
        CITY = "city", "地级市"
        NEW_AREA = "new_area", "国家级新区"

    name = models.CharField("名称", max_length=40)
    short_name = models.CharField("简称", max_length=20)
    slug = models.SlugField("拼音标识", max_length=60, unique=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        "行政区划代码",
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        help_text="GB/T 2260 六位代码；没有正式代码的新区留空。",
    )

    objects = RegionManager()

    class Meta:
        verbose_name = "地区"
        verbose_name_plural = "地区"
        ordering = ["code", "slug"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.full_name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def full_name(self) -> str:
        """The name as documents print it: 两江新区 under 重庆市 is 重庆两江新区."""
        if self.level == self.Level.NEW_AREA and self.parent_id:
            return f"{self.parent.short_name}{self.name}"
        return self.name

    def printed_names(self) -> set[str]:
        """Every way a source document may name this region."""
        names = {self.name, self.full_name}
        if self.parent_id:
            names |= {f"{self.parent.name}{self.name}", f"{self.parent.short_name}{self.name}"}
        return names

    @property
    def province(self) -> Region:
        region = self
        while region.parent_id:
            region = region.parent
        return region

    def get_absolute_url(self) -> str:
        return reverse("cases:case_list") + f"?region={self.slug}"
