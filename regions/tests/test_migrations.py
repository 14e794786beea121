"""The data migration that adds 台湾省, 香港特别行政区 and 澳门特别行政区, with the fixtures loaded after it."""

from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case, Collection
from regions.models import Region

pytestmark = pytest.mark.django_db

migration = import_module("regions.migrations.0002_taiwan_hong_kong_macao")
CODES = ["710000", "810000", "820000"]


def historical_apps():
    return MigrationExecutor(connection).loader.project_state(("regions", "0002_taiwan_hong_kong_macao")).apps


def province_codes() -> list[str]:
    return list(Region.objects.provinces().values_list("code", flat=True))


def test_an_empty_database_gets_34_provinces_once_from_the_migration_and_the_fixtures():
    Case.objects.all().delete()
    Collection.objects.all().delete()
    Region.objects.exclude(parent=None).delete()
    Region.objects.all().delete()
    migration.add_divisions(historical_apps(), None)
    assert sorted(province_codes()) == CODES
    for _ in range(2):  # loading again changes nothing
        call_command("load_initial_data", verbosity=0)
        codes = province_codes()
        assert len(codes) == len(set(codes)) == 34
        assert set(CODES) <= set(codes)
        assert Region.objects.count() == 44
        assert Case.objects.count() == 20


def test_applying_the_migration_again_adds_nothing():
    before = list(Region.objects.values_list("pk", "slug", "code"))
    migration.add_divisions(historical_apps(), None)
    assert list(Region.objects.values_list("pk", "slug", "code")) == before


def test_unapplying_removes_the_three_and_applying_brings_them_back():
    migration.remove_divisions(historical_apps(), None)
    assert len(province_codes()) == 31 and not Region.objects.filter(code__in=CODES).exists()
    migration.add_divisions(historical_apps(), None)
    call_command("loaddata", "regions", verbosity=0)
    assert len(province_codes()) == 34
    assert Region.objects.get(code="810000").slug == "xianggang"


def test_unapplying_keeps_a_division_that_a_case_refers_to():
    Case.objects.get(number=1).regions.add(Region.objects.get(slug="xianggang"))
    migration.remove_divisions(historical_apps(), None)
    assert list(Region.objects.filter(code__in=CODES).values_list("slug", flat=True)) == ["xianggang"]
