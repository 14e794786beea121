import datetime
import functools
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from config.pagination import page_of
from search.facets import all_collections, all_labels, labelled, library_counts
from search.index.rows import ordering_sql
from search.related import neighbours, related_cases
from search.service import region_overview

from .compare import MAX_CASES, MIN_CASES, parse_selection
from .models import Case, CaseItem, Collection, Topic
from .numbering import chinese_numeral
from .selection import selected_ids

# The compare form's list of cases to tick, a page at a time.
CHOICES_PER_PAGE = 50
RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
# Not permanent: the icon's hashed file name changes when the icon does.
FAVICON_REDIRECT_SECONDS = 24 * 60 * 60


def home(request: HttpRequest) -> HttpResponse:
    published = Q(cases__status=Case.Status.PUBLISHED)
    collections = list(Collection.objects.annotate(case_count=Count("cases", filter=published)))
    return render(
        request,
        "cases/home.html",
        {
            "collections": collections,
            "case_count": sum(collection.case_count for collection in collections),
            "topics": topics_with_counts(),
            "provinces": region_overview(),
        },
    )


def topics_with_counts() -> list[Topic]:
    """Every topic with ``case_count``, its number of published cases (the facets', counted once per change)."""
    _, topics = all_labels()
    counts = library_counts().topics
    for topic in topics:
        topic.case_count = counts.get(topic.pk, 0)
    return topics


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links; send them to the site's SVG icon."""
    response = redirect(static("img/favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_REDIRECT_SECONDS)
    return response


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole case, with related cases, its neighbours in the collection, a permalink and a citation.

    A fixed number of queries whatever the size of the library: the case (its
    collection is one of the cached ones), its topics and regions, its items,
    its stored related cases (``search.related``) and its two neighbours. A
    missing case costs one query.
    """
    lowest, highest = connection.ops.integer_field_range(Case._meta.pk.get_internal_type())
    case = next(iter(Case.objects.raw(_case_sql(), [pk])), None) if lowest <= pk <= highest else None
    if case is None or (case.status != Case.Status.PUBLISHED and not request.user.is_staff):
        raise Http404("没有这个案例。")
    cached = next((collection for collection in all_collections() if collection.pk == case.collection_id), None)
    if cached is not None:  # else read when asked for: a collection added a moment ago
        case.collection = cached
    labelled([case])
    items = list(CaseItem.objects.raw(_items_sql(), [case.pk]))
    previous, following = neighbours(case)
    permalink = request.build_absolute_uri(case.get_absolute_url())
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "regions": case.labels.regions,
            "topics": case.labels.topics,
            "sections": numbered_sections(case, items),
            "previous": previous,
            "next": following,
            "related": related_cases(case),
            "permalink": permalink,
            "citation": case.citation(url=permalink, accessed=timezone.localdate()),
        },
    )


def case_ris(request: HttpRequest, pk: int) -> HttpResponse:
    """The case as an RIS record, for EndNote, Zotero, NoteExpress and other reference managers."""
    case = get_object_or_404(Case.objects.select_related("collection").prefetch_related("topics"), pk=pk)
    if case.status != Case.Status.PUBLISHED and not request.user.is_staff:
        raise Http404("没有这个案例。")
    record = ris_record(case, url=request.build_absolute_uri(case.get_absolute_url()), accessed=timezone.localdate())
    response = HttpResponse(record, content_type=RIS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}.ris"'
    return response


def ris_record(case: Case, *, url: str, accessed: datetime.date) -> str:
    """One RIS record: an electronic source (ELEC) whose authors are the providers, in the collection (T2)."""
    authors, _ = case.citation_authors()
    collection = case.collection
    fields = [
        ("TY", "ELEC"),
        ("TI", case.title),
        *(("AU", author) for author in authors),
        ("T2", collection.title),
        ("PB", collection.issuer),
        ("PY", str(collection.year or "")),
        ("UR", url),
        ("Y2", accessed.strftime("%Y/%m/%d")),
        ("AB", " ".join(case.summary.split())),
        *(("KW", topic.name) for topic in case.topics.all()),
        ("LA", "zh-CN"),
    ]
    lines = [f"{tag}  - {value}" for tag, value in fields if value]
    return "\r\n".join([*lines, "ER  - ", ""])


def numbered_sections(case: Case, items: list[CaseItem] | None = None) -> list[dict]:
    """The three sections with their ordinals (一、) and their numbered items (``items``, else the case's)."""
    return [
        {"ordinal": chinese_numeral(index), "label": CaseItem.Section(section).label, "items": in_section}
        for index, (section, in_section) in enumerate(case.numbered_items(items).items(), start=1)
    ]


@functools.cache
def _case_sql() -> str:
    """A case by id, written once: the ORM would compile the statement for every view of a case page."""
    quote, meta = connection.ops.quote_name, Case._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"


@functools.cache
def _items_sql() -> str:
    """A case's items in document order, written once: the ORM would compile the statement for every view of a
    case page."""
    quote, meta = connection.ops.quote_name, CaseItem._meta
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("id", "section", "position", "heading", "body", "numbered")
    )
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('case').column)} = %s"
        f" ORDER BY {ordering_sql(meta)}"
    )


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/topic_list.html", {"topics": topics_with_counts()})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = next((topic for topic in topics_with_counts() if topic.slug == slug), None)
    if topic is None:
        raise Http404("没有这个主题。")
    cases = Case.objects.published().with_topics([topic]).select_related("collection").order_by(*Case._meta.ordering)
    page = page_of(request, cases, count=topic.case_count)
    return render(
        request,
        "cases/topic_detail.html",
        {"topic": topic, "cases": labelled(page.object_list), "page_obj": page, "case_count": page.paginator.count},
    )


def compare_url(ids: list[int]) -> str:
    return reverse("cases:compare") + "?" + urlencode([("case", pk) for pk in ids])


def compare(request: HttpRequest) -> HttpResponse:
    """Two to four published cases side by side, a row per section; otherwise a page that says what to do.

    The URL holds the whole comparison, so it can be shared as is. A request
    that cannot be compared (too few or too many cases, bad or unknown ids) is
    answered with 400 and a form to choose again; a bare /compare/ with 200,
    its boxes ticked for the visitor's selection when that is small enough to
    compare, and ``?choose=1`` with the cases of the URL ticked, to change them.

    The form lists the library :data:`CHOICES_PER_PAGE` cases at a time; its
    page buttons send the form (``page=N``), so the boxes ticked so far stay
    ticked, those of other pages listed first. Its compare button comes before
    them, so Enter in the form compares.
    """
    turning = "page" in request.GET  # a page button: a choice in progress, which may hold one case or none
    selection = parse_selection(request.GET.getlist("case"), choosing=turning)
    choosing = request.GET.get("choose") == "1" or turning
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
    published = Case.objects.published().select_related("collection")
    ticked = selection.ids
    if selection.is_empty:
        chosen = selected_ids(request.session)
        ticked = chosen if len(chosen) <= MAX_CASES else []
    paginator = Paginator(published.order_by(*Case._meta.ordering), CHOICES_PER_PAGE, orphans=3)
    paginator.count = library_counts().total  # a cached property: the paginator reads this instead of counting
    page = paginator.get_page(request.GET.get("page"))  # a page that is not one shows the first or the last
    on_page = {case.pk for case in page.object_list}
    elsewhere = [pk for pk in ticked if pk not in on_page]
    found = published.in_bulk(elsewhere) if elsewhere else {}
    response = render(
        request,
        "cases/compare_choose.html",
        {
            "problems": selection.problems,
            "choices": page.object_list,
            "page_obj": page,
            "ticked_elsewhere": [found[pk] for pk in elsewhere if pk in found],
            "selected": ticked,
            "min_cases": MIN_CASES,
            "max_cases": MAX_CASES,
        },
        status=400 if selection.problems else 200,
    )
    if request.GET.get("page", str(page.number)) != str(page.number):  # moved into range: not a page of its own
        patch_cache_control(response, no_store=True)
    return response


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
