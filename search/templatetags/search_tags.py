from html import escape
from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe

from cases.templatetags.case_lists import case_card, summary_snippet
from search.facets import FacetValue
from search.service import Hit

register = template.Library()


@register.simple_tag(takes_context=True)
def search_hit(context: template.Context, hit: Hit) -> SafeString:
    """A result: the case with its title and best passages marked, or the start of its summary when browsing.

    The passages and title are marked up already (escaped, then marked, see ``search.highlight``); the
    labels are escaped here.
    """
    snippets = "\n  ".join(
        f'<p class="snippet"><span class="snippet-section">{escape(passage.section)}</span>{passage.html}</p>'
        for passage in hit.passages
    )
    return case_card(
        context,
        hit.case,
        title=hit.title_html,
        regions=mark_safe("".join(f'<span class="tag tag-region">{escape(r.full_name)}</span>' for r in hit.regions)),
        topics=mark_safe("".join(f'<span class="tag">{escape(topic.name)}</span>' for topic in hit.topics)),
        snippets=mark_safe(snippets) if snippets else summary_snippet(hit.case),
    )


@register.simple_tag(takes_context=True)
def facet_links(context: template.Context, key: str, values: list[FacetValue]) -> SafeString:
    """The items of one facet family's list: each value linked to the query with it ticked or unticked, back on
    page 1, with its count; a province's cities and new areas in a list of its own.

    Ticking a city narrows its ticked province to it (广东省 → 深圳市, not 广东省 or 深圳市, which is the
    province again), and ticking a province widens its ticked cities to it: the link shows the count it leads to.

    Written here rather than in the template, with the standard library's ``escape`` (what Django's calls): a
    page has some forty of them.
    """
    params = [(name, values) for name, values in context["request"].GET.lists() if name != "page"]

    def link(value: FacetValue, replaces: list[str]) -> str:
        selected = ' aria-current="true" class="selected"' if value.selected else ""
        href = escape(_toggled(params, key, value.slug, replaces))
        return f'<a href="{href}"{selected}>{escape(value.name)} <span class="count">{int(value.count)}</span></a>'

    items = []
    for value in values:
        children = "".join(f"\n<li>{link(child, [value.slug])}</li>" for child in value.children)
        own = link(value, [child.slug for child in value.children])
        items.append(f"<li>{own}\n<ul>{children}\n</ul></li>" if children else f"<li>{own}</li>")
    return mark_safe("\n".join(items) if items else '<li class="muted">无</li>')


def _toggled(params: list[tuple[str, list[str]]], key: str, value: str, replaces: list[str]) -> str:
    """The query string of ``params`` with ``value`` removed from ``key``, or added in place of ``replaces``."""
    pairs = []
    found = False
    for name, values in params:
        if name == key:
            found = True
            if value in values:
                values = [v for v in values if v != value]
            else:
                values = [*(v for v in values if v not in replaces), value]
        pairs += [(name, v) for v in values]
    if not found:
        pairs.append((key, value))
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"
