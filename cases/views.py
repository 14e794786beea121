from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from regions.models import Region
from search.related import Catalogue, related_cases
from search.service import region_overview

from .compare import MAX_CASES, MIN_CASES, parse_selection
from .models import Case, CaseItem, Collection, Topic
from .numbering import chinese_numeral
from .selection import selected_ids

# Related cases ticked by default in the case page's "compare" form, besides the case itself.
COMPARE_PRESELECTED = 2


def home(request: HttpRequest) -> HttpResponse:
    published = Q(cases__status=Case.Status.PUBLISHED)
    collections = list(Collection.objects.annotate(case_count=Count("cases", filter=published)))
    return render(
        request,
        "cases/home.html",
        {
            "collections": collections,
            "case_count": sum(collection.case_count for collection in collections),
            "topics": Topic.objects.with_case_counts(),
            "provinces": region_overview(),
        },
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole case, with related cases, its neighbours in the collection, a permalink and a citation.

    Related cases need every published case's topics and index tokens, so the
    case itself is read with them (:class:`search.related.Catalogue`): four
    queries in all, with its regions and items.
    """
    catalogue = Catalogue.load(including=pk)
    case = catalogue.cases.get(pk)
    if case is None or (case.status != Case.Status.PUBLISHED and not request.user.is_staff):
        raise Http404("没有这个案例。")
    prefetch_related_objects(
        [case],
        Prefetch("regions", queryset=Region.objects.select_related("parent")),
        Prefetch("items", queryset=CaseItem.objects.order_by("section", "position")),
    )
    previous, following = catalogue.neighbours(case)
    related = related_cases(case, catalogue=catalogue)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "topics": catalogue.topics.get(case.pk, []),
            "sections": numbered_sections(case),
            "previous": previous,
            "next": following,
            "related": related,
            "compare_preselected": COMPARE_PRESELECTED,
            "permalink": request.build_absolute_uri(case.get_absolute_url()),
        },
    )


def numbered_sections(case: Case) -> list[dict]:
    """The three sections with their ordinals (一、) and their numbered items."""
    return [
        {"ordinal": chinese_numeral(index), "label": CaseItem.Section(section).label, "items": items}
        for index, (section, items) in enumerate(case.numbered_items().items(), start=1)
    ]


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/topic_list.html", {"topics": Topic.objects.with_case_counts()})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    cases = list(Case.objects.published().with_topics([topic]).for_listing())
    return render(request, "cases/topic_detail.html", {"topic": topic, "cases": cases})


def compare_url(ids: list[int]) -> str:
    return reverse("cases:compare") + "?" + urlencode([("case", pk) for pk in ids])


def compare(request: HttpRequest) -> HttpResponse:
    """Two to four published cases side by side, a row per section; otherwise a page that says what to do.

    The URL holds the whole comparison, so it can be shared as is. A request
    that cannot be compared (too few or too many cases, bad or unknown ids) is
    answered with 400 and a form to choose again; a bare /compare/ with 200,
    its boxes ticked for the visitor's selection when that is small enough to
    compare, and ``?choose=1`` with the cases of the URL ticked, to change them.
    """
    selection = parse_selection(request.GET.getlist("case"))
    choosing = request.GET.get("choose") == "1"
    if selection.ids and not selection.problems and not choosing:
        found = Case.objects.published().select_related("collection").in_bulk(selection.ids)
        missing = [str(pk) for pk in selection.ids if pk not in found]
        if missing:
            selection.problems.append(
                f"没有找到标识为 {'、'.join(missing)} 的已发布案例，可能链接有误或案例已撤下。请重新选择。"
            )
        else:
            cases = [found[pk] for pk in selection.ids]
            prefetch_related_objects(
                cases, Prefetch("items", queryset=CaseItem.objects.order_by("section", "position"))
            )
            return render(request, "cases/compare.html", comparison_context(request, cases))
    choices = Case.objects.published().select_related("collection")
    ticked = selection.ids
    if selection.is_empty:
        chosen = selected_ids(request.session)
        ticked = chosen if len(chosen) <= MAX_CASES else []
    return render(
        request,
        "cases/compare_choose.html",
        {
            "problems": selection.problems,
            "choices": choices,
            "selected": ticked,
            "min_cases": MIN_CASES,
            "max_cases": MAX_CASES,
        },
        status=400 if selection.problems else 200,
    )


def comparison_context(request: HttpRequest, cases: list[Case]) -> dict:
    """Columns (one per case) and rows (导语 and the three sections) of the comparison table."""
    ids = [case.pk for case in cases]
    columns = [
        {
            "case": case,
            "remove_url": compare_url([pk for pk in ids if pk != case.pk]) if len(ids) > MIN_CASES else "",
        }
        for case in cases
    ]
    sections = [numbered_sections(case) for case in cases]
    rows = [{"label": "导语", "is_summary": True, "cells": [case.summary for case in cases]}]
    for index, label in enumerate(CaseItem.Section.labels):
        rows.append({"label": label, "is_summary": False, "cells": [of_case[index]["items"] for of_case in sections]})
    return {
        "columns": columns,
        "rows": rows,
        "share_url": request.build_absolute_uri(compare_url(ids)),
        "choose_url": compare_url(ids) + "&choose=1",
        "all_selected": set(ids) <= set(selected_ids(request.session)),
        "max_cases": MAX_CASES,
    }
