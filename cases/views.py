from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from regions.models import Region
from search.facets import region_facet

from .importer import chinese_numeral
from .models import Case, CaseItem, Collection, Topic


def home(request: HttpRequest) -> HttpResponse:
    published = Q(cases__status=Case.Status.PUBLISHED)
    return render(
        request,
        "cases/home.html",
        {
            "collections": Collection.objects.annotate(case_count=Count("cases", filter=published)),
            "topics": Topic.objects.annotate(case_count=Count("cases", filter=published)),
            "provinces": region_facet(Case.objects.published(), selected=set()),
        },
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Case.objects.all() if request.user.is_staff else Case.objects.published()
    case = get_object_or_404(
        visible.select_related("collection")
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.select_related("parent")),
            "topics",
            Prefetch("items", queryset=CaseItem.objects.order_by("section", "position")),
        ),
        pk=pk,
    )
    return render(request, "cases/case_detail.html", {"case": case, "sections": numbered_sections(case)})


def numbered_sections(case: Case) -> list[dict]:
    """The three sections with their ordinals (一、) and the numerals (（一）) of numbered items."""
    sections = []
    for index, (section, items) in enumerate(case.items_by_section().items(), start=1):
        numbered, rows = 0, []
        for item in items:
            numeral = ""
            if item.heading:
                numbered += 1
                numeral = chinese_numeral(numbered)
            rows.append({"numeral": numeral, "heading": item.heading, "body": item.body})
        sections.append({"ordinal": chinese_numeral(index), "label": CaseItem.Section(section).label, "items": rows})
    return sections
