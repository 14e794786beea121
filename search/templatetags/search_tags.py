from urllib.parse import urlencode

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from cases.templatetags.case_lists import case_card, summary_snippet
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
def toggle_query(context, key: str, value: str) -> str:
    """The current query string with ``value`` added to or removed from ``key``, back on page 1.

    The facets have a link each (some forty on a page), so the query string is
    not copied as a ``QueryDict`` (a deep copy) for each of them.
    """
    params = {name: list(values) for name, values in context["request"].GET.lists() if name != "page"}
    values = params.setdefault(key, [])
    params[key] = [v for v in values if v != value] if value in values else [*values, value]
    encoded = urlencode([(name, v) for name, values in params.items() for v in values])
    return f"?{encoded}" if encoded else "?"
