from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cases.models import Case
from config.pagination import page_of
from search.facets import all_labels, labelled, library_counts

from .models import Region
from .tilemap import POSITIONS, SHADES, Tile


def region_list(request: HttpRequest) -> HttpResponse:
    """The tile-grid map of the provinces, shaded by their number of cases, and the same counts as a table.

    The regions and their numbers of cases are the facets' (``search.facets``), counted once per change.
    """
    counts = library_counts().regions
    regions, _ = all_labels()
    children: dict[int, list[Region]] = {}
    for region in regions:
        if region.parent_id:
            children.setdefault(region.parent_id, []).append(region)
    provinces = [region for region in regions if region.level == Region.Level.PROVINCE]
    rows = []
    tiles = []
    for province in provinces:
        count = counts.get(province.pk, 0)
        subregions = [{"region": child, "count": counts.get(child.pk, 0)} for child in children.get(province.pk, [])]
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
    """A region's cases (a province's include its cities' and new areas'), with its cities and new areas.

    The region, its cities and the numbers of cases come from the facets (``search.facets``): only the
    page of cases is read for the request.
    """
    regions, _ = all_labels()
    region = next((region for region in regions if region.slug == slug), None)
    if region is None:
        raise Http404("没有这个地区。")
    counts = library_counts().regions
    cases = Case.objects.published().in_regions([region]).select_related("collection").order_by(*Case._meta.ordering)
    page = page_of(request, cases, count=counts.get(region.pk, 0))
    children = [
        {"region": child, "count": counts.get(child.pk, 0)} for child in regions if child.parent_id == region.pk
    ]
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "cases": labelled(page.object_list),
            "page_obj": page,
            "case_count": page.paginator.count,
            "children": children,
        },
    )
