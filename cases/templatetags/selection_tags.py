"""The visitor's selection in templates: the add/remove button of a case, and messages about the selection.

The selection itself is ``selection`` in every template rendered with a
request (``cases.context_processors``).
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

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
    template, because a list has one per case: what every form of the page
    shares (the addresses, the CSRF field) is escaped once, the case's own
    number and title for each.
    """
    shared = _shared(context)
    selected = case.pk in shared["selected"]
    return mark_safe(
        TOGGLE.format(
            selected_class=" is-selected" if selected else "",
            pk=int(case.pk),
            action=shared["remove"] if selected else shared["add"],
            add=shared["add"],
            remove=shared["remove"],
            csrf=shared["csrf"],
            next=shared["next"],
            state="已选" if selected else "",
            action_label="移出已选" if selected else "加入已选",
            number=int(case.number),
            title=conditional_escape(case.title),
        )
    )


ITEM = (
    '<li class="selection-item">\n'
    '    <p class="selection-item-title"><a href="{url}"><span class="case-number">{number}．</span>{title}</a></p>\n'
    '    <p class="case-meta"><span class="muted">{collection}</span>\n'
    "      {regions}\n"
    "    </p>\n"
    '    <div class="selection-item-actions">\n'
    "      {pick}"
    '<form method="post" action="{remove}">\n'
    "        {csrf}\n"
    '        <input type="hidden" name="case" value="{pk}">\n'
    '        <input type="hidden" name="next" value="{next}">\n'
    '        <button type="submit" class="button-small">移出<span class="visually-hidden">：{number}．{title}</span>'
    "</button>\n"
    "      </form>\n"
    "    </div>\n"
    "  </li>"
)
PICK = (
    '<p class="compare-pick"><input type="checkbox" form="selection-compare" id="compare-{pk}" name="case"'
    ' value="{pk}"> <label for="compare-{pk}">比较<span class="visually-hidden">：{number}．{title}</span></label>'
    "</p>\n"
    "      "
)


@register.simple_tag(takes_context=True)
def selection_item(context: template.Context, case: Case, pick_to_compare: bool) -> SafeString:
    """A case of the selection page: its title, collection and regions, the box that picks it for comparing
    (when more cases are selected than can be compared) and the form that removes it.

    Written here, not in the template, for the reason ``selection_toggle`` is: a page lists up to fifty.
    """
    shared = _shared(context)
    title = conditional_escape(case.title)
    pk, number = int(case.pk), int(case.number)
    return mark_safe(
        ITEM.format(
            url=escape(case.get_absolute_url()),
            number=number,
            title=title,
            collection=conditional_escape(case.collection.title),
            regions="".join(
                f'<span class="tag tag-region">{conditional_escape(region.full_name)}</span>'
                for region in case.labels.regions
            ),
            pick=PICK.format(pk=pk, number=number, title=title) if pick_to_compare else "",
            remove=shared["remove"],
            csrf=shared["csrf"],
            pk=pk,
            next=shared["next"],
        )
    )


_SHARED = "selection-toggle-shared"


def _shared(context: template.Context) -> dict:
    """The selected ids and the escaped parts every form of this template shares, worked out once."""
    shared = context.render_context.get(_SHARED)
    if shared is None:
        state = context.get("selection")  # cases.context_processors
        if state:
            selected, add, remove, next_url = state.selected, state.add_url, state.remove_url, state.next
        else:  # rendered without a request: no selection
            selected, add, remove = frozenset(), reverse("cases:selection_add"), reverse("cases:selection_remove")
            next_url = ""
        token = context.get("csrf_token")
        shared = {
            "selected": selected,
            "add": escape(add),
            "remove": escape(remove),
            "next": escape(next_url),
            "csrf": format_html(CSRF_FIELD, token) if token and token != "NOTPROVIDED" else "",
        }
        context.render_context[_SHARED] = shared
    return shared


@register.simple_tag(takes_context=True)
def selection_notices(context: template.Context) -> list[str]:
    """Messages left by a form sent without JavaScript, shown once."""
    request = context.get("request")
    return selection.pop_notices(request.session) if request is not None else []
