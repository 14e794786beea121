"""The selection page and the forms that add cases to it, remove them and clear it (see :mod:`cases.selection`).

The forms are plain POST forms answered by a redirect back to the page they
were sent from, so they work without JavaScript; ``static/js/selection.js``
sends them with ``fetch`` instead and is answered with JSON.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from search.facets import labelled

from . import selection
from .compare import MAX_CASES as MAX_COMPARED
from .compare import MIN_CASES as MIN_COMPARED
from .models import Case
from .views import compare_url

PAGE_SIZE = 50


@never_cache  # one visitor's own page
@require_safe
def selection_page(request: HttpRequest) -> HttpResponse:
    """The selected cases, with links to compare them and export exactly them, and forms to remove them."""
    ids, dropped = selection.keep_published(request.session)
    notices = selection.pop_notices(request.session)
    if dropped:
        notices.append(f"有 {dropped} 个已选案例已撤下，已从已选中移除。")
    paginator = Paginator(ids, PAGE_SIZE)
    number = request.GET.get("page") or "1"
    if not number.isascii() or not number.isdigit() or int(number) < 1:
        raise Http404("没有这一页。")
    # A page emptied by removing its last cases shows the last page instead.
    page = paginator.page(min(int(number), paginator.num_pages))
    found = Case.objects.published().select_related("collection").in_bulk(list(page.object_list))
    query = urlencode([("case", pk) for pk in ids])
    return render(
        request,
        "cases/selection.html",
        {
            "cases": labelled(found[pk] for pk in page.object_list if pk in found),
            "count": len(ids),
            "notices": notices,
            "pager": {"page": page.number, "pages": paginator.num_pages},
            "first_index": page.start_index(),
            "compare_url": compare_url(ids) if MIN_COMPARED <= len(ids) <= MAX_COMPARED else "",
            "pick_to_compare": len(ids) > MAX_COMPARED,
            "export_query": "?" + query if ids else "",
            "min_compared": MIN_COMPARED,
            "max_compared": MAX_COMPARED,
            "max_cases": selection.limit(),
        },
    )


@require_safe
def selection_compare(request: HttpRequest) -> HttpResponseRedirect:
    """Compare the selection when it holds 2 to 4 cases; otherwise the selection page says how to choose."""
    ids = selection.selected_ids(request.session)
    if MIN_COMPARED <= len(ids) <= MAX_COMPARED:
        return redirect(compare_url(ids))
    return redirect("cases:selection")


@require_POST
def selection_add(request: HttpRequest) -> HttpResponse:
    change = selection.add_cases(request.session, request.POST.getlist("case"))
    if change.added:
        change.notices.insert(0, f"已加入{_titles(change.added)}，已选 {change.count} 个案例。")
    return _answer(request, change)


@require_POST
def selection_remove(request: HttpRequest) -> HttpResponse:
    change = selection.remove_cases(request.session, request.POST.getlist("case"))
    if change.removed:
        change.notices.insert(0, f"已移出{_titles(change.removed)}，已选 {change.count} 个案例。")
    return _answer(request, change)


@require_POST
def selection_clear(request: HttpRequest) -> HttpResponse:
    change = selection.clear(request.session)
    change.notices.append("已清空已选案例。" if change.removed else "已选案例本来就是空的。")
    return _answer(request, change)


def _answer(request: HttpRequest, change: selection.Change) -> HttpResponse:
    """JSON for the script, which asks for it; a redirect back to a page of this site for a plain form."""
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        asked, _ = selection.parse_ids(request.POST.getlist("case"))
        return JsonResponse(
            {
                "count": change.count,
                "selected": {str(pk): pk in change.ids for pk in asked},
                "message": " ".join(change.notices),
            },
            status=400 if change.refused and not (change.added or change.removed) else 200,
        )
    selection.add_notices(request.session, change.notices)
    response = HttpResponseRedirect(_next_url(request))
    response.status_code = 303  # See Other: the page is fetched again with GET
    return response


def _next_url(request: HttpRequest) -> str:
    """The ``next`` field when it is a path on this site; otherwise the selection page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cases:selection")


def _titles(ids: list[int]) -> str:
    """The titles of up to three cases (a case withdrawn meanwhile is not named), else how many."""
    cases = Case.objects.published().in_bulk(ids) if len(ids) <= 3 else {}
    if len(cases) < len(ids):
        return f" {len(ids)} 个案例"
    return "“" + "”“".join(cases[pk].title for pk in ids) + "”"
