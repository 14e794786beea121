"""Remembered addresses: the same as ``reverse()`` gives, under whatever prefix the site is served."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

from cases.models import Case

pytestmark = pytest.mark.django_db

LINKS = Template("{% load permalinks %}{% page_url 'cases:case_list' %} {% page_url 'cases:case_ris' pk %}")


def test_the_tag_gives_what_the_url_tag_gives(client):
    case = Case.objects.order_by("pk").first()
    assert (
        LINKS.render(Context({"pk": case.pk}))
        == f"{reverse('cases:case_list')} {reverse('cases:case_ris', args=[case.pk])}"
    )
    page = client.get(reverse("search:search")).content.decode()
    for name in ("cases:home", "cases:case_list", "search:search", "regions:region_list", "cases:topic_list"):
        assert f'href="{reverse(name)}"' in page


def test_a_site_served_under_a_prefix_links_under_it_and_one_at_the_root_does_not():
    case = Case.objects.order_by("pk").first()
    at_root = LINKS.render(Context({"pk": case.pk}))
    set_script_prefix("/library/")
    try:
        under_prefix = LINKS.render(Context({"pk": case.pk}))
    finally:
        clear_script_prefix()
    assert under_prefix == f"/library/cases/ /library/cases/{case.pk}/cite.ris"
    assert LINKS.render(Context({"pk": case.pk})) == at_root == f"/cases/ /cases/{case.pk}/cite.ris"
