"""The JSON API contract: shape, filters, errors."""

import pytest
from django.urls import reverse

from cases.models import Case

pytestmark = pytest.mark.django_db

LIST = reverse("api:case_list")


def numbers(response) -> set[int]:
    return {result["number"] for result in response.json()["results"]}


def get_all(client, **params):
    return client.get(LIST, {"page_size": 100, **params})


class TestCaseList:
    def test_lists_all_twenty_cases_in_pages(self, client):
        body = client.get(LIST, {"page_size": 8}).json()
        assert (body["count"], body["page"], body["pages"]) == (20, 1, 3)
        assert [r["number"] for r in body["results"]] == list(range(1, 9))
        last = client.get(LIST, {"page_size": 8, "page": 3}).json()
        assert [r["number"] for r in last["results"]] == list(range(17, 21))

    def test_result_shape(self, client):
        result = client.get(LIST, {"q": "铁路提单"}).json()["results"][0]
        assert set(result) >= {"id", "number", "title", "url", "regions", "topics", "score", "snippet"}
        assert result["number"] == 13
        assert result["url"].endswith(f"/cases/{result['id']}/")
        assert result["regions"] == [{"slug": "liangjiang", "name": "重庆两江新区"}]
        assert {"slug": "logistics", "name": "物流运输"} in result["topics"]
        assert "<mark>铁路提单</mark>" in result["snippet"]
        assert result["score"] > 0

    def test_a_province_includes_its_cities_and_new_areas(self, client):
        assert numbers(get_all(client, region="chongqing")) == {7, 11, 13}
        assert numbers(get_all(client, region="zhejiang")) == {6, 9, 17, 19}
        assert numbers(get_all(client, region="hangzhou")) == {6, 9, 17, 19}

    def test_two_regions_give_the_union(self, client):
        assert numbers(get_all(client, region=["shanghai", "tianjin"])) == {3, 8}
        assert numbers(get_all(client, region=["weihai", "shenzhen"])) == {5, 18}

    def test_topic_filter_and_several_topics(self, client):
        healthcare = numbers(get_all(client, topic="healthcare"))
        talent = numbers(get_all(client, topic="talent"))
        assert healthcare and talent
        assert numbers(get_all(client, topic=["healthcare", "talent"])) == healthcare | talent
        for number in healthcare:
            assert Case.objects.get(number=number).topics.filter(slug="healthcare").exists()

    def test_region_and_topic_together_intersect(self, client):
        assert numbers(get_all(client, region="hubei", topic="finance")) == {4, 20}

    def test_facets_come_alongside(self, client):
        facets = client.get(LIST).json()["facets"]
        provinces = {value["slug"]: value["count"] for value in facets["region"]}
        assert provinces["chongqing"] == 3 and provinces["zhejiang"] == 4 and provinces["hubei"] == 3
        assert sum(value["count"] for value in facets["topic"]) >= 20
        # A province's cities and new areas, with the counts their filter gives:
        hubei = next(value for value in facets["region"] if value["slug"] == "hubei")
        assert hubei["children"] == [{"slug": "wuhan", "name": "武汉市", "count": 3}]
        assert client.get(LIST, {"region": "wuhan"}).json()["count"] == 3
        assert "children" not in next(value for value in facets["region"] if value["slug"] == "hainan")

    @pytest.mark.parametrize(
        "params",
        [
            {"page": "abc"},
            {"page": "0"},
            {"page": "-1"},
            {"page_size": "1000"},
            {"page_size": "0"},
            {"region": "atlantis"},
            {"topic": "nothing"},
            {"sort": "random"},
        ],
    )
    def test_bad_parameters_are_a_clear_400(self, client, params):
        response = client.get(LIST, params)
        assert response.status_code == 400
        body = response.json()
        assert body["error"] and set(body["fields"]) == set(params)

    def test_a_page_past_the_end_is_404(self, client):
        assert client.get(LIST, {"page": 99}).status_code == 404

    def test_unknown_parameters_are_ignored(self, client):
        assert client.get(LIST, {"colour": "blue"}).json()["count"] == 20

    def test_only_get_is_allowed(self, client):
        assert client.post(LIST).status_code == 405


class TestCaseDetail:
    def test_full_case(self, client):
        case = Case.objects.get(number=8)
        body = client.get(reverse("api:case_detail", args=[case.pk])).json()
        assert body["title"] == "积极推进邮轮服务贸易新业态发展"
        assert body["provider"] == "上海市、天津市提供"
        assert {r["slug"] for r in body["regions"]} == {"shanghai", "tianjin"}
        assert [len(body[key]) for key in ("measures", "outcomes", "next_steps")] == [4, 3, 4]
        assert body["measures"][0] == {
            "numeral": "一",
            "heading": "加强宏观政策引导。",
            "body": case.items.get(section=1, position=1).body,
        }
        assert body["summary"] == case.summary

    def test_unknown_id_is_404(self, client):
        assert client.get("/api/cases/999999/").status_code == 404
        assert client.get("/api/cases/abc/").status_code == 404

    def test_a_draft_is_not_served(self, client):
        case = Case.objects.get(number=1)
        case.status = Case.Status.DRAFT
        case.save()
        assert client.get(reverse("api:case_detail", args=[case.pk])).status_code == 404
        assert client.get(LIST).json()["count"] == 19


class TestRegions:
    def test_regions_with_levels_parents_and_counts(self, client):
        regions = {r["slug"]: r for r in client.get(reverse("api:region_list")).json()}
        assert len([r for r in regions.values() if r["level"] == "province"]) == 34
        for slug, name in [("taiwan", "台湾省"), ("xianggang", "香港特别行政区"), ("aomen", "澳门特别行政区")]:
            assert regions[slug] == {"slug": slug, "name": name, "level": "province", "parent": None, "case_count": 0}
        assert regions["liangjiang"] == {
            "slug": "liangjiang",
            "name": "重庆两江新区",
            "level": "new_area",
            "parent": "chongqing",
            "case_count": 3,
        }
        assert regions["chongqing"]["case_count"] == 3
        assert regions["hubei"]["case_count"] == 3  # 武汉: cases 4, 17 and 20
        assert regions["shanghai"]["case_count"] == 2
        assert regions["xizang"]["case_count"] == 0


def test_an_item_without_heading_keeps_its_numeral(client):
    """Case 13's outcomes are numbered paragraphs whose first sentence is their statement, not a heading."""
    case = Case.objects.get(number=13)
    outcomes = client.get(f"/api/cases/{case.pk}/").json()["outcomes"]
    assert [item["numeral"] for item in outcomes] == ["一", "二", "三"]
    assert all(item["heading"] == "" and item["body"] for item in outcomes)
