from urllib.parse import urlencode

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cases.templatetags.case_lists import case_card, summary_snippet
from search.facets import FacetValue
from search.service import Hit

register = template.Library()


@register.simple_tag(takes_context=True)
def search_hit(context: template.Context, hit: Hit) -> SafeString:
    """A result: the case with its title and best passages marked, or the start of its summary when browsing."""
    snippets = format_html_join(
        "\n  ",
        '<p class="snippet"><span class="snippet-section">{}</span>{}</p>',
        ((passage.section, passage.html) for passage in hit.passages),
    )
    return case_card(
        context,
        hit.case,
        title=hit.title_html,
        regions=format_html_join("", '<span class="tag tag-region">{}</span>', ((r.full_name,) for r in hit.regions)),
        topics=format_html_join("", '<span class="tag">{}</span>', ((topic.name,) for topic in hit.topics)),
        snippets=snippets or summary_snippet(hit.case),
    )


@register.simple_tag(takes_context=True)
def facet_links(context: template.Context, key: str, values: list[FacetValue]) -> SafeString:
    """The items of one facet family's list: each value linked to the query with it ticked or unticked, back on
    page 1, with its count; a province's cities and new areas in a list of its own.

    Written here rather than in the template: a page has some forty of them.
    """
    params = [(name, values) for name, values in context["request"].GET.lists() if name != "page"]

    def link(value: FacetValue) -> SafeString:
        return format_html(
            '<a href="{}"{}>{} <span class="count">{}</span></a>',
            _toggled(params, key, value.slug),
            SELECTED if value.selected else "",
            value.name,
            value.count,
        )

    items = [
        format_html(
            "<li>{}{}</li>",
            link(value),
            format_html(
                "\n<ul>\n{}\n</ul>", format_html_join("\n", "<li>{}</li>", ((link(child),) for child in value.children))
            )
            if value.children
            else "",
        )
        for value in values
    ]
    return mark_safe("\n".join(items) if items else '<li class="muted">无</li>')


SELECTED = mark_safe(' aria-current="true" class="selected"')


def _toggled(params: list[tuple[str, list[str]]], key: str, value: str) -> str:
    """The query string of ``params`` with ``value`` added to or removed from ``key``."""
    pairs = []
    found = False
    for name, values in params:
        if name == key:
            found = True
            values = [v for v in values if v != value] if value in values else [*values, value]
        pairs += [(name, v) for v in values]
    if not found:
        pairs.append((key, value))
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"
