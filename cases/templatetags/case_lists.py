"""A case in a list of cases (topic, region and search pages), written here rather than in a template.

A list page shows twenty or more of them, and each costs the template language
some forty variable look-ups, loops and a nested tag: written with
``format_html`` it takes a fraction of that. The markup is the same as a
template would give (``includes/case_rows.html`` lists them).
"""

from html import escape

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

from cases.models import Case

from .selection_tags import selection_toggle

register = template.Library()

SNIPPET_CHARS = 120
CARD = (
    '<article class="case-card">\n'
    '  <h3 class="case-card-title"><a href="{url}"><span class="case-number">{number}．</span>{title}</a></h3>\n'
    '  <p class="case-meta">\n'
    "    {regions}\n"
    "    {topics}\n"
    "  </p>\n"
    "  {snippets}\n"
    "  {toggle}\n"
    "</article>"
)


def case_card(context: template.Context, case: Case, *, title, regions, topics, snippets) -> SafeString:
    """The card of ``case``: its number and title linked to its page, its labels, snippets and selection button."""
    return mark_safe(
        CARD.format(
            url=escape(case.get_absolute_url()),
            number=int(case.number),
            title=conditional_escape(title),
            regions=conditional_escape(regions),
            topics=conditional_escape(topics),
            snippets=conditional_escape(snippets),
            toggle=selection_toggle(context, case),
        )
    )


def summary_snippet(case: Case) -> SafeString:
    """The start of the summary, cut as ``truncatechars`` cuts it (the summaries have no combining characters)."""
    summary = case.summary
    if len(summary) > SNIPPET_CHARS:
        # The language's ending ("…", "..." in Chinese) counts towards the length, as Django's filter counts it.
        ending = pgettext("String to return when truncating text", "%(truncated_text)s…")
        kept = SNIPPET_CHARS - len(ending % {"truncated_text": ""})
        summary = ending % {"truncated_text": summary[:kept]}
    return format_html('<p class="snippet">{}</p>', summary)


@register.simple_tag(takes_context=True)
def case_row(context: template.Context, case: Case) -> SafeString:
    """A case of a list, its regions and topics linked to their pages (``case.labels``, see ``search.facets``)."""
    return case_card(
        context,
        case,
        title=case.title,
        regions=format_html_join(
            "",
            '<a class="tag tag-region" href="{}">{}</a>',
            ((region.get_absolute_url(), region.full_name) for region in case.labels.regions),
        ),
        topics=format_html_join(
            "",
            '<a class="tag" href="{}">{}</a>',
            ((topic.get_absolute_url(), topic.name) for topic in case.labels.topics),
        ),
        snippets=summary_snippet(case),
    )
