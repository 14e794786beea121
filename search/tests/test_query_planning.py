"""What the planner adds to the words typed: pinyin, synonyms and "您是不是要找", on the real 20 cases."""

import pytest
from django.db.models import Q
from django.urls import reverse

from cases.models import Case
from cases.tests.test_importer import stored_text
from search.service import search_cases

pytestmark = pytest.mark.django_db


def numbers(results) -> list[int]:
    return [hit.case.number for hit in results.hits]


@pytest.mark.parametrize("q", ["jinrongchaoshi", "jin rong chao shi", "JinRongChaoShi", "ｊｉｎｒｏｎｇｃｈａｏｓｈｉ"])
def test_pinyin_finds_the_word_it_spells(q):
    results = search_cases(q=q)
    assert numbers(results)[0] == 18  # 打造一站式综合金融服务平台“金融超市”
    assert results.pinyin == ["金融超市"]


@pytest.mark.parametrize("q", ["youlun qukuailian", "you lun qu kuai lian", "ｙｏｕｌｕｎ\u3000ｑｕｋｕａｉｌｉａｎ"])
def test_pinyin_of_several_words_finds_the_cases_with_some_as_the_chinese_words_do(q):
    """No case has both 邮轮 and 区块链: the cases with one of them, as for 邮轮 区块链 typed in Chinese."""
    results = search_cases(q=q, page_size=20)
    assert results.pinyin == ["邮轮", "区块链"]
    chinese = search_cases(q="邮轮 区块链", page_size=20)
    assert results.all_word_count == 0 and numbers(results) == numbers(chinese) and len(numbers(chinese)) == 5


@pytest.mark.parametrize("q", ["rong zi", "rong\u3000zi", "ｒｏｎｇ\u3000ｚｉ"])
def test_pinyin_typed_syllable_by_syllable_with_any_space(q):
    results = search_cases(q=q, page_size=20)
    assert results.pinyin == ["融资"] and results.all_word_count == 10


def test_a_word_excluded_in_pinyin_excludes_the_word_it_spells():
    results = search_cases(q="rongzi -wuhan", page_size=20)
    assert numbers(results) == numbers(search_cases(q="融资 -武汉", page_size=20))
    assert not {4, 17, 20} & set(numbers(results)) and results.pinyin == ["融资", "武汉"]


@pytest.mark.parametrize(
    ("q", "word", "first"), [("西咸", "西咸新区", 16), ("海铁", "海铁联运", 11), ("中小微", "中小微企业", 20)]
)
def test_the_start_of_a_longer_word_finds_the_cases_with_that_word(q, word, first):
    """jieba breaks 西咸 into 西 and 咸, neither of which the cases of 西咸新区 hold as a word; a case with only 西
    somewhere (爱尔兰西科克郡) is not listed as having some of the words typed."""
    results = search_cases(q=q, page_size=20)
    written = Q(title__contains=word) | Q(summary__contains=word) | Q(items__body__contains=word)
    with_word = set(Case.objects.filter(written).values_list("number", flat=True))
    assert first in with_word and set(numbers(results)) == with_word == set(numbers(results)[: results.all_word_count])
    assert f"“{q}”不是一个完整的词，同时检索了以它开头的“{word}”。" in results.query.notices


@pytest.mark.parametrize(
    ("q", "word", "number"), [("xiongan", "雄安新区", 10), ("xiong an", "雄安新区", 10), ("xixian", "西咸新区", 16)]
)
def test_pinyin_of_the_start_of_a_longer_word_finds_that_word(q, word, number):
    """The index holds 雄安新区 whole, no 雄安 of its own: the letters that begin its pinyin find it."""
    results = search_cases(q=q, page_size=20)
    assert results.pinyin == [word] and numbers(results) == [number]


@pytest.mark.parametrize("q", ["xiong", "api", "ms", "data", "jia", "guan", "huan", "jian"])
def test_letters_that_are_not_two_syllables_beginning_a_word_complete_nothing(q):
    assert search_cases(q=q).pinyin == []


def test_pinyin_mixed_with_chinese_words():
    results = search_cases(q="融资 wuhan", page_size=20)
    assert results.pinyin == ["武汉"]
    assert set(numbers(results)[:3]) == {4, 17, 20}  # the cases with both 融资 and 武汉


def test_english_words_are_not_taken_for_pinyin():
    assert search_cases(q="La Liste").pinyin == [] and numbers(search_cases(q="La Liste")) == [2]


def test_a_synonym_finds_the_cases_in_the_documents_wording():
    results = search_cases(q="报关", page_size=20)  # the cases say 通关
    assert "通关" in results.synonyms
    assert 12 in numbers(results)  # 促进贸易通关便利化


def test_the_word_typed_outranks_its_synonyms():
    results = search_cases(q="贷款", page_size=20)
    # The cases that say 贷款 themselves (in their bodies) come before all but the one with 融资 in its title.
    assert {18, 19, 20} <= set(numbers(results)[:4])
    assert len(numbers(results)) > 3  # and those that only say 融资 or 信贷 after them


def test_unspaced_words_with_synonyms():
    results = search_cases(q="展会数字化", page_size=20)
    assert numbers(results)[0] == 9  # 创新在线数字展览模式
    assert {"会展", "展览"} <= set(results.synonyms)


def test_an_excluded_word_is_not_searched_as_a_synonym():
    assert "贷款" in search_cases(q="融资").synonyms
    results = search_cases(q="融资 -贷款", page_size=20)
    assert "贷款" not in results.synonyms and "信贷" in results.synonyms
    listed = {hit.case.number for hit in results.hits}
    assert listed == {hit.case.number for hit in search_cases(q="融资", page_size=20).hits} - {18, 19, 20}
    assert {18, 19, 20} == {  # the cases that say 贷款
        case.number for case in Case.objects.prefetch_related("items") if "贷款" in stored_text(case)
    }


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("杭心贷", "杭信贷"), ("中欧斑列", "中欧班列"), ("跨境店商", "跨境电商"), ("海铁连运", "海铁联运")],
)
def test_a_word_typed_amiss_is_corrected_even_when_other_words_find_cases(typed, meant):
    results = search_cases(q=typed)
    assert results.all_word_count == 0 and results.count >= 3  # its pieces are in other cases
    assert (meant, meant) in results.did_you_mean


def test_did_you_mean_offers_the_closest_word_of_the_index():
    assert ("金融超市", "金融超市") in search_cases(q="金容超市").did_you_mean
    assert search_cases(q="金融超市").did_you_mean == []  # found: nothing to offer


def test_the_page_says_what_it_searched_for(client):
    page = client.get(reverse("search:search"), {"q": "报关"}).content.decode()
    assert "同时检索了：" in page and "通关" in page
    assert "<mark>通关</mark>" in page  # synonym matches are highlighted
    page = client.get(reverse("search:search"), {"q": "jinrongchaoshi"}).content.decode()
    assert "按拼音检索：金融超市" in page and "<mark>金融超市</mark>" in page
    page = client.get(reverse("search:search"), {"q": "金容超市"}).content.decode()
    assert "您是不是要找：" in page and "金融超市</a>" in page


def test_a_phrase_is_highlighted_whole(client):
    page = client.get(reverse("search:search"), {"q": "“文化贸易”"}).content.decode()
    assert "<mark>文化贸易</mark>" in page and "<mark>文化</mark>" not in page


def test_a_word_in_very_many_cases_is_searched_without_its_synonyms(monkeypatch):
    """With lists of three, 融资 (in ten cases) is common: its own cases are all anyone reads."""
    from search.index import champions
    from search.index.indexing import rebuild_index

    monkeypatch.setattr(champions, "LIST_SIZE", 3)
    rebuild_index()
    assert search_cases(q="融资").synonyms == []
    assert "通关" in search_cases(q="报关").synonyms  # a word of no case keeps them
