"""``load_initial_data`` again, as ``make run`` does at every start: what editors changed or deleted stays."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case, CaseItem, Collection, Topic
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_running_it_again_keeps_every_edit_and_deletion():
    case = Case.objects.get(number=7)
    Case.objects.filter(pk=case.pk).update(title="编辑改过的标题", version=case.version + 1)
    item = case.items.first()
    CaseItem.objects.filter(pk=item.pk).update(body="编辑改过的正文")
    Topic.objects.filter(slug="finance").update(name="金融与保险")
    merged = Topic.objects.exclude(slug="finance").first()
    merged.delete()
    Region.objects.filter(slug="wuhan").update(short_name="武汉（改）")
    gone = Case.objects.get(number=20)
    gone.delete()

    out = StringIO()
    call_command("load_initial_data", stdout=out)

    case.refresh_from_db()
    assert (case.title, case.version) == ("编辑改过的标题", case.version)
    assert CaseItem.objects.get(pk=item.pk).body == "编辑改过的正文"
    assert Topic.objects.get(slug="finance").name == "金融与保险"
    assert not Topic.objects.filter(slug=merged.slug).exists()
    assert Region.objects.get(slug="wuhan").short_name == "武汉（改）"
    assert Case.objects.count() == 19 and not Case.objects.filter(pk=gone.pk).exists()
    assert "未重新载入，编辑过的内容保持不变" in out.getvalue()


def test_a_region_deleted_or_given_a_new_slug_is_not_brought_back():
    Region.objects.filter(slug="wuhan").delete()
    Region.objects.filter(slug="hubei").update(name="湖北省（改）")
    Region.objects.filter(slug="chengdu").update(slug="chengdu-shi")
    call_command("load_initial_data", verbosity=0)
    assert not Region.objects.filter(slug="wuhan").exists()
    assert Region.objects.get(slug="hubei").name == "湖北省（改）"
    assert not Region.objects.filter(slug="chengdu").exists() and Region.objects.filter(slug="chengdu-shi").exists()


def test_an_empty_library_gets_everything_and_new_topics_get_new_ids():
    Case.objects.all().delete()
    Collection.objects.all().delete()
    Topic.objects.all().delete()
    Region.objects.exclude(parent=None).delete()
    call_command("load_initial_data", verbosity=0)
    assert Case.objects.count() == 20 and Region.objects.filter(slug="wuhan").exists()
    assert Topic.objects.filter(slug="finance").exists()
    Topic.objects.create(name="新主题", slug="new-topic")  # the id sequence is past the fixture's ids


def test_the_cases_are_not_loaded_over_another_collection_numbered_as_theirs():
    Case.objects.all().delete()
    Collection.objects.all().delete()
    other = Collection.objects.create(pk=1, slug="pilot-2021", title="第二批", year=2021)
    call_command("load_initial_data", verbosity=0)
    assert Collection.objects.get(pk=1).slug == other.slug and not Case.objects.exists()
