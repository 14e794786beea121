from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cases.models import Case
from config.pagination import page_of

from .models import Region
from .tilemap import POSITIONS, SHADES, Tile


def region_list(request: HttpRequest) -> HttpResponse:
    """The tile-grid map of the provinces, shaded by their number of cases, and the same counts as a table."""
    counts = Region.objects.case_counts(Case.objects.published())
    regions = list(Region.objects.all())
    children: dict[int, list[Region]] = {}
    for region in regions:
        if region.parent_id:
            children.setdefault(region.parent_id, []).append(region)
    provinces = [region for region in regions if region.level == Region.Level.PROVINCE]
    rows = []
    tiles = []
    for province in provinces:
        count = counts.get(province.pk, 0)
        subregions = []
        for child in children.get(province.pk, []):
            child.parent = province  # full_name reads the parent without a query
            subregions.append({"region": child, "count": counts.get(child.pk, 0)})
        rows.append({"region": province, "count": count, "children": subregions})
        if province.slug in POSITIONS:
            row, column = POSITIONS[province.slug]
            tiles.append(
                Tile(province.slug, province.name, province.short_name, province.get_absolute_url(), count, row, column)
            )
    return render(
        request,
        "regions/region_list.html",
        {
            "tiles": tiles,
            "rows": rows,
            "shades": [{"shade": n, "label": f"{n} 个及以上" if n == SHADES else f"{n} 个"} for n in range(SHADES + 1)],
            "provinces_with_cases": sum(1 for row in rows if row["count"]),
        },
    )


def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A region's cases (a province's include its cities' and new areas'), with its cities and new areas."""
    region = get_object_or_404(Region.objects.select_related("parent"), slug=slug)
    published = Case.objects.published()
    page = page_of(request, published.in_regions([region]).for_listing().order_by(*Case._meta.ordering))
    counts = Region.objects.case_counts(published)
    children = []
    for child in region.children.all():
        child.parent = region
        children.append({"region": child, "count": counts.get(child.pk, 0)})
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "cases": page.object_list,
            "page_obj": page,
            "case_count": page.paginator.count,
            "children": children,
        },
    )
