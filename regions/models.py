from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .permalinks import page_url


class RegionQuerySet(models.QuerySet):
    def provinces(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.PROVINCE)

    def with_descendants(self) -> RegionQuerySet:
        """These regions and the cities and new areas under them (a lazy subquery).

        Regions are at most two levels deep (see ``Region.clean``).
        """
        return Region.objects.filter(models.Q(pk__in=self.values("pk")) | models.Q(parent__in=self.values("pk")))


class RegionManager(models.Manager.from_queryset(RegionQuerySet)):
    def get_by_natural_key(self, slug: str) -> Region:
        return self.get(slug=slug)


# Other names documents give the provinces that have them, by GB/T 2260 code.
PRINTED_ALIASES: dict[str, tuple[str, ...]] = {
    "710000": ("中国台湾", "台湾地区"),
    "810000": ("中国香港", "香港特区"),
    "820000": ("中国澳门", "澳门特区"),
}


class Region(models.Model):
    """A division of China: province level (the 34 of GB/T 2260), city, or state-level new area."""

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
        ordering = [models.F("code").asc(nulls_last=True), "slug"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return page_url("regions:region_detail", self.slug)

    def clean(self) -> None:
        if self.level == self.Level.PROVINCE and self.parent_id:
            raise ValidationError({"parent": "省级行政区没有上级地区。"})
        if self.level != self.Level.PROVINCE:
            if not self.parent_id:
                raise ValidationError({"parent": "地级市和新区须有所属的省级行政区。"})
            if self.parent.level != self.Level.PROVINCE:
                raise ValidationError({"parent": "上级地区须为省级行政区。"})

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
        elif self.level == self.Level.PROVINCE:
            names |= {self.short_name, *PRINTED_ALIASES.get(self.code or "", ())}
        return names

    @property
    def province(self) -> Region:
        return self.parent if self.parent_id else self
