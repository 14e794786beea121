"""Coverage ranking on the real 20 cases: every word counts, cases with all of them come first.

Read from the cases: 融资 and 武汉 together are in cases 4, 17 and 20 (Wuhan's financing cases and
the talent case Wuhan co-provided); the other cases mentioning either word follow them.
"""

import pytest
from django.urls import reverse

from search.service import search_cases

pytestmark = pytest.mark.django_db


def numbers(results) -> list[int]:
    return [hit.case.number for hit in results.hits]


def test_cases_with_every_word_come_first_then_those_with_some():
    results = search_cases(q="融资 武汉", page_size=50)
    assert results.all_word_count == 3
    assert set(numbers(results)[:3]) == {4, 17, 20}
    finance = set(numbers(search_cases(q="融资", page_size=50)))
    wuhan = set(numbers(search_cases(q="武汉", page_size=50)))
    assert set(numbers(results)[3:]) == (finance | wuhan) - {4, 17, 20}
    assert results.partial_count == len(finance | wuhan) - 3 and results.count == len(finance | wuhan)
    assert not results.fallback


def test_cases_covering_more_words_rank_before_those_covering_fewer():
    results = search_cases(q="邮轮 边检 区块链", page_size=50)
    assert results.all_word_count == 0 and results.fallback
    # Case 15 (船舶边检查验“零待时”) mentions both cruise ships and border inspection.
    assert numbers(results)[0] == 15


def test_an_unspaced_compound_counts_word_by_word():
    results = search_cases(q="跨境电商融资", page_size=50)
    assert numbers(results)[0] == 5  # 跨境电商 and 融资 together only in case 5
    assert results.all_word_count == 1 and results.partial_count > 5
    assert results.count > 0


def test_a_compound_the_index_lacks_is_found_through_its_pieces():
    results = search_cases(q="外国专家引进")
    assert results.count > 0 and numbers(results)[0] == 1  # 优化事业单位对外籍人员的管理和服务
    assert any("外国" in notice and "专家" in notice for notice in results.query.notices)


def test_a_single_unknown_word_with_pieces_never_gives_an_empty_page():
    assert search_cases(q="外国专家").count > 0


@pytest.mark.parametrize("minus", ["-", "－", "—"])
def test_minus_from_a_chinese_keyboard_excludes(minus):
    results = search_cases(q=f"融资 {minus}保险", page_size=50)
    plain = set(numbers(search_cases(q="融资", page_size=50)))
    assert 19 in plain and set(numbers(results)) == plain - {13, 19}  # the cases that mention 保险
    assert results.partial_count == 0


@pytest.mark.parametrize("quoted", ['"文化贸易"', "“文化贸易”", "「文化贸易」", "『文化贸易』", "‘文化贸易’"])
def test_chinese_quotes_make_a_required_phrase(quoted):
    assert numbers(search_cases(q=quoted, page_size=50)) == [6]


@pytest.mark.parametrize("bar", ["OR", "or", "|", "｜"])
def test_every_spelling_of_or_widens(bar):
    either = set(numbers(search_cases(q=f"邮轮 {bar} 区块链", page_size=50)))
    assert either == {7, 8, 10, 15, 18}


@pytest.mark.parametrize(("first", "second"), [("跨境电商融资", "邮轮"), ("融资租赁", "跨境电商")])
def test_or_joins_a_word_typed_without_spaces_whole_whichever_side_it_is_on(first, second):
    """跨境电商融资 OR 邮轮 is the cases with 跨境电商 and 融资, or with 邮轮: not 跨境电商 with 融资 or 邮轮."""
    one_way = search_cases(q=f"{first} OR {second}", page_size=50)
    other_way = search_cases(q=f"{second} OR {first}", page_size=50)
    assert set(numbers(one_way)) == set(numbers(other_way))
    assert one_way.all_word_count == other_way.all_word_count == len(numbers(one_way))


def test_a_quoted_phrase_stays_required_among_partial_matches():
    results = search_cases(q='"文化贸易" 川菜 邮轮', page_size=50)
    # Only case 6 has the phrase; it has neither other word, so it is listed as a partial match.
    assert numbers(results) == [6] and results.all_word_count == 0


def test_the_page_shows_the_divider_and_both_counts(client):
    page = client.get(reverse("search:search"), {"q": "融资 武汉"}).content.decode()
    assert "以下案例只包含部分检索词" in page
    assert "<strong>3</strong> 个案例包含全部检索词" in page
    assert page.index("以下案例只包含部分检索词") > page.index('href="/cases/')  # after the first case


def test_no_divider_when_every_case_has_every_word(client):
    page = client.get(reverse("search:search"), {"q": "铁路提单"}).content.decode()
    assert "以下案例只包含部分检索词" not in page


def test_the_api_says_how_many_cases_have_every_word(client):
    data = client.get(reverse("api:case_list"), {"q": "融资 武汉"}).json()
    assert data["all_words_count"] == 3 and data["partial_count"] == data["count"] - 3
    assert {result["number"] for result in data["results"][:3]} == {4, 17, 20}


SPANNING = [
    ("融资 武汉", {}),
    ("跨境电商融资", {}),
    ("服务 人才", {}),
    ("船舶 “边检”", {}),  # a required phrase: the partial matches must have it too
    ("融资 武汉 -贷款", {}),  # an exclusion: in neither part
    ("展会 数据", {}),  # a synonym (会展) stands in for a word
    ("rongzi 武汉", {}),  # pinyin stands in for a word
    ("融资 数据", {"topics": ("finance",)}),
    ("服务 贸易 平台", {"regions": ("guangdong", "shanghai")}),
    ("融资 武汉", {"collections": ("service-trade-2020",)}),
]


@pytest.fixture
def one_statement_pages(monkeypatch):
    """The number of pages ranked by ``ranked_with_partial``, counted as they are."""
    from search.index.backends import get_backend

    backend = type(get_backend())
    real = backend.ranked_with_partial
    calls = []

    def counted(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(backend, "ranked_with_partial", counted)
    return calls


def chosen(filters: dict) -> dict:
    from cases.models import Collection, Topic
    from regions.models import Region

    models = {"topics": Topic, "regions": Region, "collections": Collection}
    return {name: list(models[name].objects.filter(slug__in=slugs)) for name, slugs in filters.items()}


@pytest.mark.parametrize(("q", "filters"), SPANNING)
def test_a_page_of_all_word_and_partial_matches_ranks_them_as_the_two_rankings_do(
    q, filters, monkeypatch, one_statement_pages
):
    """A page showing the last all-word matches and the first partial ones reads them in one statement; it
    lists the same cases, in the same order and with the same scores, as ranking each part on its own."""
    from search.service import SearchPlan

    arguments = chosen(filters)

    def pages(page_size: int) -> list[list[tuple[int, float | None]]]:
        first = search_cases(q=q, page_size=page_size, **arguments)
        return [
            [(hit.case.pk, hit.score) for hit in search_cases(q=q, page=page, page_size=page_size, **arguments).hits]
            for page in range(1, first.pages + 1)
        ]

    for page_size in (1, 2, 3, 5, 20):
        together = pages(page_size)
        with monkeypatch.context() as separately:
            separately.setattr(SearchPlan, "_ranked_exactly", False)
            apart = pages(page_size)
        assert together == apart, page_size
    assert one_statement_pages, "no page of this query shows both kinds of match"


def test_partial_matches_ranked_among_champions_are_not_ranked_with_the_others(monkeypatch, one_statement_pages):
    """Past ``EXACT_RANK_LIMIT`` partial matches, they are ranked among the champions of the words only, and
    apart: ranking them with the all-word matches would rank them all, and list other cases."""
    from cases.models import Case

    three = search_cases(q="融资 武汉", page_size=5)
    assert three.all_word_count == 3 and three.partial_count > 3
    champions = list(Case.objects.filter(number__in=[4, numbers(three)[4]]).values_list("pk", flat=True))
    assert one_statement_pages  # ranked in full, the page's two parts are read in one statement
    one_statement_pages.clear()
    monkeypatch.setattr("search.service.EXACT_RANK_LIMIT", 3)
    monkeypatch.setattr("search.service.candidate_ids", lambda tokens: champions)
    results = search_cases(q="融资 武汉", page_size=5)
    assert not one_statement_pages
    assert numbers(results)[3:] == [numbers(three)[4]]  # the one partial match among the champions
