"""``{% page_url 'name' argument %}``: the ``{% url %}`` tag, remembered (see ``regions.permalinks``).

Every page's header and footer link to the same few pages, and a search page
to a dozen more: Django's tag walks the URL patterns for each of them on every
request. Only for the site's own pages; the admin's templates keep ``{% url %}``,
which knows the admin site a page belongs to.
"""

from django import template

from regions.permalinks import page_url

register = template.Library()
register.simple_tag(page_url, name="page_url")
