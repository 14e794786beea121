"""The visitor's selection, read from the session for the header count and the add/remove buttons."""

from django import template

from cases import selection

register = template.Library()


@register.simple_tag(takes_context=True)
def selected_case_ids(context: template.Context) -> list[int]:
    """The selected ids; none for a visitor without a session (the pages cached for everyone are rendered so)."""
    request = context.get("request")
    return selection.selected_ids(request.session) if request is not None else []


@register.simple_tag(takes_context=True)
def selection_notices(context: template.Context) -> list[str]:
    """Messages left by a form sent without JavaScript, shown once."""
    request = context.get("request")
    return selection.pop_notices(request.session) if request is not None else []
