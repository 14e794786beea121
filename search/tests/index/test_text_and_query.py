"""Text processing and the query language."""

from unittest import mock

import pytest

from cases.models import Case, Topic
from regions.models import Region
from search.index import text
from search.index.documents import _label_names, case_field_texts
from search.index.query import MAX_QUERY_CHARS, MAX_TERMS, parse_query
from search.index.text import document_tokens, memoised_segmentation, names_tokens, normalise, query_tokens


def test_normalise_folds_width_case_script_and_control_characters():
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("鐵路提單") == "铁路提单"
    assert normalise("a\x00b\x1fc") == "a b c"


def test_domain_terms_stay_whole():
    for term in ["铁路提单", "海铁联运", "杭信贷", "金融超市", "中欧班列", "一单制", "云展会"]:
        assert query_tokens(term) == [term]


def test_document_tokens_add_the_words_inside_long_words():
    tokens = document_tokens("中华人民共和国")
    assert tokens[0] == "中华人民共和国"
    assert {"中华", "人民", "共和国"} <= set(tokens)


# Line breaks as files and forms bring them, Latin words, full-width and traditional text, empty lines.
AWKWARD_TEXTS = [
    "Ｗｅｃｈａｔ 平台\r\n鐵路提單與“一单制”\n\n2020 年 La Liste 跨境电商融资\n中华人民共和国",
    "一\n",
    "\n",
    "",
    "ΑΣ\nΒ 中欧班列\u2028海铁联运",
]


@pytest.mark.django_db
def test_memoised_segmentation_gives_exactly_the_tokens_of_segmenting_whole():
    """jieba never joins words across a newline: every field of every real case, segmented line by line
    through the memo (twice, the second time read from it), gives the tokens of segmenting it whole."""
    cases = Case.objects.prefetch_related("regions__parent", "topics", "items")
    texts = [field_text for case in cases for field_text in case_field_texts(case).values()] + AWKWARD_TEXTS
    assert len(texts) > 80
    whole = [document_tokens(field_text) for field_text in texts]
    with memoised_segmentation():
        assert [document_tokens(field_text) for field_text in texts] == whole
        assert [document_tokens(field_text) for field_text in texts] == whole


def test_the_memo_segments_each_distinct_line_once_and_stays_bounded():
    paragraph = "探索国际远程会诊和国际医生执业资格互认模式。"
    calls = mock.Mock(wraps=text.segment_document)
    with mock.patch.object(text, "segment_document", calls), memoised_segmentation(max_lines=3):
        first = document_tokens(f"标题一\n{paragraph}")
        second = document_tokens(f"标题二\n{paragraph}")
        assert [call.args[0] for call in calls.call_args_list] == ["标题一", paragraph, "标题二"]
        document_tokens("甲\n乙")  # two more lines: the oldest two are forgotten
        assert len(text._memo.get().lines) == 3
    assert first == document_tokens(f"标题一\n{paragraph}") and second == document_tokens(f"标题二\n{paragraph}")
    with mock.patch.object(text, "segment_document", calls), memoised_segmentation(max_lines=0):
        calls.reset_mock()
        document_tokens(f"标题一\n{paragraph}")
        assert [call.args[0] for call in calls.call_args_list] == [f"标题一\n{paragraph}"]  # off: segmented whole


def test_punctuation_is_dropped():
    assert query_tokens("“融资”，！") == ["融资"]


def test_words_must_all_match():
    query = parse_query("融资 武汉")
    assert [[t.text for t in clause] for clause in query.clauses] == [["融资"], ["武汉"]]


def test_or_joins_neighbouring_words():
    query = parse_query("邮轮 OR 会展 人才")
    assert [[t.text for t in clause] for clause in query.clauses] == [["邮轮", "会展"], ["人才"]]


def clause_texts(query) -> list[list[str]]:
    return [[t.text for t in clause] for clause in query.clauses]


def test_function_words_between_words_are_left_out_and_said_so():
    for typed, plain in [("上海的邮轮", "上海邮轮"), ("会展与贸易促进", "会展 贸易 促进"), ("融资 的", "融资")]:
        assert clause_texts(parse_query(typed)) == clause_texts(parse_query(plain)), typed
    assert parse_query("上海的邮轮").notices == ["略去了虚词“的”。"]
    assert clause_texts(parse_query("哪些城市开展了邮轮试点？")) == [["城市"], ["开展"], ["邮轮"], ["试点"]]
    assert clause_texts(parse_query("的")) == [["的"]]  # nothing else typed: searched after all
    assert parse_query('"上海的邮轮"').clauses[0][0].tokens == ("上海", "的", "邮轮")  # a phrase as typed


@pytest.mark.parametrize(
    "typed",
    ["邮轮或会展", "邮轮 或 会展", "邮轮 或者 会展", "邮轮或者会展", "邮轮或 会展", "邮轮 或会展", "邮轮或者 会展"],
)
def test_huo_between_two_words_accepts_either(typed):
    assert clause_texts(parse_query(typed)) == clause_texts(parse_query("邮轮 OR 会展")) == [["邮轮", "会展"]]
    assert not parse_query(typed).notices


def test_or_after_a_word_with_function_words_needs_none_of_them():
    assert clause_texts(parse_query("邮轮或会展 OR 旅游")) == [["邮轮", "会展", "旅游"]]
    whole = parse_query("上海的邮轮 OR 会展").clauses[0][0]
    assert whole.tokens == ("上海", "邮轮")
    assert clause_texts(parse_query("上海邮轮或会展 OR 旅游")) == [["上海"], ["邮轮", "会展", "旅游"]]


@pytest.mark.parametrize(
    ("typed", "clauses"),
    [
        ("邮轮 OR 的", [("邮轮",)]),
        ("邮轮 或者 是 会展", [("邮轮", "会展")]),
        ("邮轮 OR 会展与贸易", [("邮轮", "会展贸易")]),
    ],
)
def test_a_function_word_after_or_is_no_alternative(typed, clauses):
    query = parse_query(typed)
    assert [tuple("".join(t.tokens) for t in clause) for clause in query.clauses] == clauses
    assert query.notices and query.notices[0].startswith("略去了虚词")


def test_minus_excludes_and_quotes_make_a_phrase():
    query = parse_query('融资 -保险 "文化贸易" -"出口信用"')
    assert [t.text for t in query.excluded] == ["保险", "出口信用"]
    phrase = query.clauses[1][0]
    assert phrase.phrase and phrase.tokens == ("文化", "贸易")


@pytest.mark.parametrize("text", ["", "   ", "，。！", "-", "OR", '""', "OR OR -"])
def test_nothing_searchable_is_an_empty_query(text):
    query = parse_query(text)
    assert not query and not query.excluded


def test_long_queries_are_capped_with_a_notice():
    query = parse_query("融资" * 500)
    assert any(str(MAX_QUERY_CHARS) in notice for notice in query.notices)
    many = parse_query(" ".join(f"词{i}" for i in range(300)))
    assert {term.text for term in many.terms} == {"词", *(str(i) for i in range(MAX_TERMS))}
    assert any(str(MAX_TERMS) in notice for notice in many.notices)


@pytest.mark.django_db
def test_names_segmented_one_by_one_give_the_tokens_of_the_whole_label():
    """The labels are segmented name by name, each name once a process (see ``text.names_tokens``): the same
    tokens as the text of all of them, since segmentation never joins words across a space."""
    for case in Case.objects.prefetch_related("regions__parent", "topics"):
        names = _label_names(case)
        assert names_tokens(names) == document_tokens(" ".join(names)), case.number
    every = [*Region.objects.select_related("parent"), *Topic.objects.all()]
    names = [getattr(label, "full_name", None) or label.name for label in every]
    assert names_tokens(names) == document_tokens(" ".join(names))
