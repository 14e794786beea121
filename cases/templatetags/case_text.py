"""A case's text as the page prints it: one paragraph per line, as in the source and the Word briefing."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def paragraphs(text: str, autoescape: bool = True) -> SafeString:
    """Each non-blank line of ``text`` as a ``<p>`` of its own, escaped.

    Django's ``linebreaks`` turns a single line break into ``<br>``, so the
    paragraphs of an item would share one ``<p>`` and only the first would
    be indented.
    """
    escape = conditional_escape if autoescape else str
    return mark_safe("".join(f"<p>{escape(line)}</p>" for line in str(text).splitlines() if line.strip()))
