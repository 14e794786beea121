"""Highlighted passages: the best passages of a case, each marked where the words are, escaped first."""

from search.highlight import best_passages, mark


def test_the_passages_with_most_distinct_words_then_most_matches_come_first_each_marked_in_place():
    passages = [
        ("导语", "企业融资难。"),
        ("主要做法", "搭建<平台>，融资平台服务企业，融资更便利。"),
        ("实践效果", "平台上线。"),
        ("下一步工作思路", "扩大融資平台覆盖面。"),  # traditional 資: found as 资
    ]
    best = best_passages(passages, ["融资", "平台"])
    assert [passage.section for passage in best] == ["主要做法", "下一步工作思路"]
    assert best[0].html == (
        "搭建&lt;<mark>平台</mark>&gt;，<mark>融资</mark><mark>平台</mark>服务企业，<mark>融资</mark>更便利。"
    )
    assert best[1].html == "扩大<mark>融資</mark><mark>平台</mark>覆盖面。"
    assert best_passages(passages, ["量子"]) == []


def test_a_long_passage_is_cut_around_its_first_match():
    text = "甲" * 300 + "融资" + "乙" * 300
    html = mark(text, ["融资"], window=160)
    assert html.startswith("…") and html.endswith("…") and "<mark>融资</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 162


def test_words_are_marked_in_traditional_full_width_and_upper_case_text_however_often_it_is_seen():
    """Simplified text is searched as it is; any character that normalises to a word character is translated."""
    texts = {
        "推进融资（试点）、服务。": "推进<mark>融资</mark>（试点）、服务。",
        "推進融資，ＡＩ平台": "推進<mark>融資</mark>，<mark>ＡＩ</mark>平台",
        "AI融资": "<mark>AI</mark><mark>融资</mark>",
        "㈱融资": "㈱<mark>融资</mark>",  # one character normalised to three: "(株)"
        "İ融资": "İ<mark>融资</mark>",  # lower-cased to two characters
        "①融资，5Ｇ": "①<mark>融资</mark>，5Ｇ",
    }
    for _ in range(2):  # the characters are learnt the first time, looked up the second
        for text, marked in texts.items():
            assert mark(text, ["融资", "ai"]) == marked


def test_a_quoted_phrase_with_punctuation_is_marked_in_simplified_text():
    """A phrase keeps its punctuation, normalised to half-width: "，" is searched as ","."""
    for _ in range(2):
        assert mark("推进数字人民币，试点工作", ["数字人民币,试点"]) == "推进<mark>数字人民币，试点</mark>工作"


def test_every_occurrence_of_one_word_is_marked_even_side_by_side_and_around_expanding_characters():
    assert mark("服务服务，再服务", ["服务"]) == "<mark>服务</mark><mark>服务</mark>，再<mark>服务</mark>"
    assert mark("融资㈱融资", ["融资"]) == "<mark>融资</mark>㈱<mark>融资</mark>"
