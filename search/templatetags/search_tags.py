from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def toggle_query(context, key: str, value: str) -> str:
    """The current query string with ``value`` added to or removed from ``key``, back on page 1."""
    params: QueryDict = context["request"].GET.copy()
    values = params.getlist(key)
    params.setlist(key, [v for v in values if v != value] if value in values else [*values, value])
    params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
