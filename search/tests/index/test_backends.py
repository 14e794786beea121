"""The engine query text is built from tokens only, and user text cannot become syntax."""

import pytest
from django.db import connection

from cases.models import Topic
from search.index.backends.postgres import RANK_WEIGHTS, quote_lexeme, token_scores, tsquery_text, tsvector_literal
from search.index.backends.sqlite import match_text
from search.index.documents import FIELDS
from search.index.query import Query, Term, parse_query
from search.models import SearchText


def test_lexemes_are_quoted_and_escaped():
    assert quote_lexeme("融资") == "'融资'"
    assert quote_lexeme("it's") == "'it''s'"
    assert quote_lexeme("a\\b") == "'a\\\\b'"
    with pytest.raises(ValueError):
        quote_lexeme("")


def test_tsquery_of_clauses_phrases_and_exclusions():
    query = parse_query('融资 OR 信贷 "文化贸易" -保险')
    assert tsquery_text(query) == "('融资' | '信贷') & ('文化 贸易') & !'保险'"
    assert tsquery_text(query, with_exclusions=False) == "('融资' | '信贷') & ('文化 贸易')"


def test_a_longer_phrase_needs_its_pairs_and_their_order():
    query = Query(clauses=[[Term(text="中欧班列通关服务", tokens=("中欧班列", "通关", "服务"), phrase=True)]])
    assert tsquery_text(query) == "(('中欧班列 通关' & '通关 服务' & ('中欧班列' <-> '通关' <-> '服务')))"


def test_tsvector_weights_fields_and_separates_them():
    literal = tsvector_literal({"title": ["融资"], "label": ["武汉市"], "body": ["融资", "服务"]})
    # No pair across two fields; the labels come last (the part a topic's rename rewrites).
    assert literal == "'融资':1A,4D '服务':5D '融资 服务':5D '武汉市':7B"


def test_a_token_too_long_for_a_lexeme_is_left_out():
    literal = tsvector_literal({"body": ["融资", "x" * 3000, "服务"]})
    assert literal == "'融资':3D '服务':5D"


def test_fts5_match_text():
    query = parse_query('融资 OR 信贷 "文化贸易" -保险')
    assert match_text(query) == '("融资" OR "信贷") AND ("文化 贸易") NOT ("保险")'


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL parses the literal")
def test_hostile_lexemes_reach_postgresql_as_plain_lexemes():
    hostile = ["'", "\\", "&", "|", "!", "(", ")", ":*", "<->", "a' | 'b", "x:A"]
    query = Query(clauses=[[Term(text=t, tokens=(t,))] for t in hostile])
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery", [tsquery_text(query)])
        parsed = cursor.fetchone()[0]
        cursor.execute("SELECT %s::tsvector @@ %s::tsquery", [tsvector_literal({"body": hostile}), tsquery_text(query)])
        assert cursor.fetchone()[0] is True
    assert parsed.count("&") == len(hostile) - 1 + sum(t.count("&") for t in hostile)


def test_the_part_of_some_fields_starts_after_a_gap():
    fields = {"title": ["融资"], "label": ["武汉市", "金融"], "body": ["融资", "服务"]}
    assert tsvector_literal(fields, only={"label"}, start=1) == "'武汉市':2B '金融':3B '武汉市 金融':3B"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL vector")
def test_a_relabelled_vector_holds_the_lexemes_and_weights_of_one_written_whole():
    """A topic rename replaces the labels' part of each stored vector in the database: the words and their
    weights (what matching and ts_rank read) are those of the vector written whole from the new text."""
    topic = Topic.objects.get(slug="logistics")
    topic.name = "物流枢纽运营"
    topic.save()

    def lexemes(vector_sql: str, params: list) -> dict[str, list[str]]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT lexeme, weights FROM unnest(({vector_sql})) ORDER BY lexeme", params)
            return {lexeme: sorted(weights) for lexeme, weights in cursor.fetchall()}

    for case in topic.cases.all():
        text = SearchText.objects.get(case=case)
        whole = tsvector_literal({field.name: getattr(text, f"{field.name}_tokens").split() for field in FIELDS})
        stored = lexemes("SELECT vector FROM search_searchdocument WHERE case_id = %s", [case.pk])
        assert "物流枢纽运营" in text.label_tokens or "枢纽" in text.label_tokens
        assert stored == lexemes("SELECT %s::tsvector", [whole]), case.number


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ts_rank")
def test_a_words_score_for_the_champion_lists_is_ts_rank_also_beyond_256_positions():
    """PostgreSQL keeps a lexeme's first 256 positions; the labels are written last, after the body."""
    fields = {"title": ["甲", "乙"], "label": ["甲", "丙"], "heading": ["乙"] * 3, "body": ["甲", "乙"] * 300}
    scores = token_scores(fields)
    with connection.cursor() as cursor:
        for token in ("甲", "乙", "丙"):
            cursor.execute(
                "SELECT ts_rank(%s, %s::tsvector, quote_literal(%s)::tsquery)::float8",
                [RANK_WEIGHTS, tsvector_literal(fields), token],
            )
            assert cursor.fetchone()[0] == scores[token], token
    assert 0 < scores["丙"] < min(scores["甲"], scores["乙"])
