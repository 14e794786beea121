"""The visitor's selection in templates: the add/remove button of a case, and messages about the selection.

The selection itself is ``selection`` in every template rendered with a
request (``cases.context_processors``).
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases import selection
from cases.models import Case

register = template.Library()

TOGGLE = (
    '<form class="selection-toggle{selected_class}" id="select-{pk}" method="post" action="{action}"'
    ' data-add="{add}" data-remove="{remove}">\n'
    "  {csrf}\n"
    '  <input type="hidden" name="case" value="{pk}">\n'
    '  <input type="hidden" name="next" value="{next}#select-{pk}">\n'
    '  <span class="selection-state">{state}</span>\n'
    '  <button type="submit" class="button-small"><span class="selection-action">{action_label}</span>'
    '<span class="visually-hidden">：{number}．{title}</span></button>\n'
    "</form>"
)
CSRF_FIELD = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'  # as {% csrf_token %} writes it


@register.simple_tag(takes_context=True)
def selection_toggle(context: template.Context, case: Case) -> SafeString:
    """The form that adds ``case`` to the visitor's selection, or removes it when it is selected.

    It works without JavaScript (a POST answered by a redirect back to ``next``);
    ``static/js/selection.js`` sends it with ``fetch``. Written here, not in a
    template, because a list has one per case: this is several times quicker.
    """
    state = context.get("selection")
    if state:
        selected, add, remove, next_url = case.pk in state.selected, state.add_url, state.remove_url, state.next
    else:  # rendered without a request: no selection
        selected, add, remove = False, reverse("cases:selection_add"), reverse("cases:selection_remove")
        next_url = ""
    token = context.get("csrf_token")
    return format_html(
        TOGGLE,
        selected_class=" is-selected" if selected else "",
        pk=case.pk,
        action=remove if selected else add,
        add=add,
        remove=remove,
        csrf=format_html(CSRF_FIELD, token) if token and token != "NOTPROVIDED" else "",
        next=next_url,
        state="已选" if selected else "",
        action_label="移出已选" if selected else "加入已选",
        number=case.number,
        title=case.title,
    )


@register.simple_tag(takes_context=True)
def selection_notices(context: template.Context) -> list[str]:
    """Messages left by a form sent without JavaScript, shown once."""
    request = context.get("request")
    return selection.pop_notices(request.session) if request is not None else []
