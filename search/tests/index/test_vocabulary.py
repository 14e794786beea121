"""The vocabulary of the published cases: pinyin typed as a query, words close to a typo, suggestions."""

import pytest

from cases.models import Case
from search.index.vocabulary import (
    closest_words,
    pinyin_completions,
    suggest_words,
    vocabulary_add,
    vocabulary_rebuild,
    words_for_pinyin,
)
from search.models import IndexWord

pytestmark = pytest.mark.django_db


def word(token: str) -> IndexWord:
    return IndexWord.objects.get(token=token)


def test_the_rebuilt_vocabulary_counts_the_cases_of_each_word_with_its_pinyin():
    assert vocabulary_rebuild() == IndexWord.objects.count() > 1000
    assert 5 <= word("金融").cases <= 20
    assert word("融资").cases > word("超市").cases >= 1
    assert (word("金融超市").pinyin, word("金融超市").initials) == ("jinrongchaoshi", "jrcs")
    assert word("中欧班列").pinyin == "zhongoubanlie"
    assert word("绿色").pinyin == "lvse"  # ü is typed v


def test_the_vocabulary_holds_chinese_words_only():
    assert not IndexWord.objects.filter(token__in=["5g", "2019", "smart", "city"]).exists()
    tokens = IndexWord.objects.values_list("token", flat=True)
    assert all(any("\u4e00" <= char <= "\u9fff" for char in token) for token in tokens)


def test_a_draft_case_no_longer_counts():
    before = word("融资").cases
    case = Case.objects.get(title__contains="金融超市")
    case.status = Case.Status.DRAFT
    case.save()
    vocabulary_rebuild()
    assert not IndexWord.objects.filter(token="金融超市").exists()
    assert word("融资").cases == before - 1


def test_adding_the_words_of_a_new_case_inserts_only_unknown_chinese_words(django_assert_max_num_queries):
    known = word("金融").cases
    with django_assert_max_num_queries(2):
        vocabulary_add(["金融", "氢能船舶", "氢能船舶", "hydrogen", "2030"])
    assert word("金融").cases == known
    assert (word("氢能船舶").pinyin, word("氢能船舶").cases) == ("qingnengchuanbo", 1)
    assert not IndexWord.objects.filter(token__in=["hydrogen", "2030"]).exists()


@pytest.mark.parametrize(
    "typed",
    [
        "jinrongchaoshi",
        "jin rong chao shi",
        "JinRong ChaoShi",
        "ｊｉｎｒｏｎｇ ｃｈａｏｓｈｉ",
    ],
)
def test_pinyin_typed_whole_or_in_syllables_finds_the_word(typed):
    assert words_for_pinyin(typed) == ["金融超市"]


def test_pinyin_finds_words_of_the_cases(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert words_for_pinyin("tongguan") == ["通关"]
    assert words_for_pinyin("zhongoubanlie") == ["中欧班列"]
    assert words_for_pinyin("xian") == ["西安"]  # xi'an, not one syllable


def test_pinyin_of_an_unknown_compound_is_split_into_known_words():
    IndexWord.objects.filter(token="金融超市").delete()
    assert words_for_pinyin("jinrongchaoshi") == ["金融", "超市"]
    assert words_for_pinyin("rongzi jinrong") == ["融资", "金融"]


def test_of_words_sharing_a_pinyin_the_most_frequent_is_taken():
    IndexWord.objects.create(token="金蓉", pinyin="jinrong", initials="jr", cases=1)
    assert words_for_pinyin("jinrong") == ["金融"]


@pytest.mark.parametrize("typed", ["or", "api", "ai", "an", "hello", "123", "5g", "融资", "jinrong!", "", "x" * 100])
def test_what_is_not_pinyin_of_a_word_finds_nothing(typed):
    assert words_for_pinyin(typed) == []


def test_a_homophone_typo_suggests_the_word_meant():
    assert closest_words("金容超市")[0] == "金融超市"
    assert closest_words("中欧斑列")[0] == "中欧班列"
    assert closest_words("通光")[0] == "通关"  # one letter of pinyin away, before 通过
    assert closest_words("jinrongchaosi")[0] == "金融超市"
    assert "融资" not in closest_words("融资")
    assert closest_words("") == closest_words("？？") == []
    assert len(closest_words("金融", limit=2)) <= 2


def test_suggested_words_start_with_the_prefix_most_frequent_first():
    words = suggest_words("金融", 5)
    assert words and all(token.startswith("金融") and token != "金融" for token in words)
    counts = [word(token).cases for token in words]
    assert counts == sorted(counts, reverse=True)
    assert "金融" in suggest_words("jinr", 5)
    assert "金融" in suggest_words("jr", 5)
    assert "金融超市" in suggest_words("jinrongc", 5)
    assert suggest_words("5g", 5) == suggest_words("", 5) == []


@pytest.mark.parametrize(
    ("letters", "words"),
    [("xiongan", ["雄安新区"]), ("kuahang", ["跨行业"]), ("guan", []), ("jia", []), ("xion", [])],
)
def test_pinyin_completions_begin_on_the_words_own_readings(letters, words):
    """跨行 alone reads kuaxing, but 跨行业 kua hang ye; one syllable (guan) or a cut one (xion) completes none."""
    assert pinyin_completions(letters, 3) == words
