"""The engine query text is built from tokens only, and user text cannot become syntax."""

import pytest
from django.db import connection

from search.index.backends.postgres import quote_lexeme, tsquery_text, tsvector_literal
from search.index.backends.sqlite import match_text
from search.index.query import Query, Term, parse_query


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
    assert literal == "'融资':1A,6D '武汉市':3B '服务':7D '融资 服务':7D"  # no pair across two fields


def test_a_token_too_long_for_a_lexeme_is_left_out():
    literal = tsvector_literal({"body": ["融资", "x" * 3000, "服务"]})
    assert literal == "'融资':4D '服务':6D"


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
