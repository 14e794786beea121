from urllib.parse import urlencode

from django import template

register = template.Library()


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
