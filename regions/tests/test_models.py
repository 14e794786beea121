"""The region tree's names: the forms documents print, which the importer looks up."""

import pytest

from cases.importer import ParsedCase
from cases.services import region_lookup, resolve_regions
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_importer_knows_every_printed_form_of_taiwan_hong_kong_and_macao():
    lookup = region_lookup()
    forms = {
        "taiwan": ["台湾省", "台湾", "中国台湾", "台湾地区"],
        "xianggang": ["香港特别行政区", "香港", "香港特区", "中国香港"],
        "aomen": ["澳门特别行政区", "澳门", "澳门特区", "中国澳门"],
    }
    for slug, names in forms.items():
        for name in names:
            assert lookup[name].slug == slug, name


def test_a_province_may_be_printed_by_its_short_name_and_a_city_by_its_full_name():
    lookup = region_lookup()
    assert lookup["海南"].slug == "hainan" and lookup["海南省"].slug == "hainan"
    assert lookup["重庆"].slug == "chongqing"
    assert lookup["重庆两江新区"].slug == "liangjiang"
    assert "两江" not in lookup  # a new area's short name alone is not a printed name
    assert "杭州" not in lookup


def test_printed_names_of_a_city_are_unchanged():
    hangzhou = Region.objects.select_related("parent").get(slug="hangzhou")
    assert hangzhou.printed_names() == {"杭州市", "浙江省杭州市", "浙江杭州市"}


def test_a_case_provided_by_hong_kong_and_macao_resolves_to_both():
    parsed = ParsedCase(
        number=21, title="标题", provider="香港特别行政区、澳门特别行政区提供", summary="", line=1, provider_line=3
    )
    regions = resolve_regions([parsed])[21]
    assert [region.slug for region in regions] == ["xianggang", "aomen"]
