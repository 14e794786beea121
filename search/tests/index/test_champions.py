"""Champion lists: a large result set is ranked among each word's strongest cases first.

The real 20 cases never reach ``EXACT_RANK_LIMIT``; these tests shorten the
lists and lower the limit so the shortcut runs on them.
"""

import pytest
from django.db import connection

from cases.models import Case
from cases.services import cases_set_status
from regions.models import Region
from search import service
from search.index import champions
from search.index.backends import get_backend
from search.index.backends.postgres import RANK_WEIGHTS
from search.index.indexing import rebuild_index
from search.index.query import parse_query
from search.models import Champion, ChampionFloor, Synonym
from search.service import SearchArguments, ranked_case_ids, search_cases

pytestmark = pytest.mark.django_db


def listed(token: str) -> set[int]:
    return set(Champion.objects.filter(token=token).values_list("case__number", flat=True))


def all_numbers(q: str) -> list[int]:
    return [hit.case.number for hit in search_cases(q=q, page_size=100).hits]


@pytest.fixture
def short_lists(monkeypatch):
    """Lists of three cases, and every result set counted as large (synonyms off: the lists are the words' own)."""
    Synonym.objects.update(active=False)
    exact = {q: all_numbers(q) for q in ("融资", "服务", "融资 平台")}
    monkeypatch.setattr(champions, "LIST_SIZE", 3)
    monkeypatch.setattr(service, "EXACT_RANK_LIMIT", 0)
    rebuild_index()
    return exact


def test_while_no_list_is_full_every_case_of_a_token_is_listed():
    assert listed("融资") == set(all_numbers("融资"))
    assert listed("铁路提单") == {13}
    assert not ChampionFloor.objects.exists()


def test_a_full_list_keeps_the_cases_where_the_word_weighs_most(short_lists):
    # 融资 is in the titles of cases 19 and 20 and in no other title.
    assert len(listed("融资")) == 3
    assert {19, 20} <= listed("融资")
    floor = ChampionFloor.objects.get(token="融资").weight
    assert min(Champion.objects.filter(token="融资").values_list("weight", flat=True)) == floor


def test_the_champions_come_first_then_every_other_match_once(short_lists):
    exact = short_lists["融资"]
    first_page = search_cases(q="融资", page_size=3)
    assert first_page.count == len(exact)  # counting is never cut short
    assert {hit.case.number for hit in first_page.hits} == listed("融资")
    pages = [search_cases(q="融资", page_size=3, page=page) for page in range(1, first_page.pages + 1)]
    numbers = [hit.case.number for results in pages for hit in results.hits]
    assert sorted(numbers) == sorted(exact)
    # Each part keeps the backend's order: the rest is the exact ranking without the champions.
    assert numbers[3:] == [number for number in exact if number not in listed("融资")]


def test_several_words_rank_the_union_of_their_champions(short_lists):
    exact = short_lists["融资 平台"]
    top = [hit.case.number for hit in search_cases(q="融资 平台", page_size=2).hits]
    assert len(top) == 2 and set(top) <= listed("融资") | listed("平台")
    assert top == [number for number in exact if number in listed("融资") | listed("平台")][:2]


def test_exports_list_the_results_in_the_page_order(short_lists):
    pages = search_cases(q="服务", page_size=100)
    ids = ranked_case_ids(SearchArguments(q="服务"), limit=100)
    assert ids == [hit.case.pk for hit in pages.hits]
    assert len(ids) == len(short_lists["服务"])


def test_a_case_written_later_joins_a_list_when_its_weight_reaches_the_floor(short_lists):
    case = Case.objects.get(number=5)
    assert 5 not in listed("融资")  # it mentions 融资, less than the three listed cases do
    ChampionFloor.objects.filter(token="融资").update(weight=0.01)
    case.save()
    assert 5 not in listed("融资")  # saved as it was: its index entry is left as it is
    case.summary += "园区修订。"
    case.save()
    assert 5 in listed("融资")  # written again, it weighs more than the floor
    ChampionFloor.objects.filter(token="融资").update(weight=99.0)
    case.summary += "再次修订。"
    case.save()
    assert 5 not in listed("融资")
    item = case.items.first()
    item.body += " 量子。"
    item.save()
    assert 5 in listed("量子")  # no list was cut for a new word: every case of it is listed


def test_a_draft_keeps_its_place_in_the_lists_and_is_never_ranked(short_lists):
    entries = set(Champion.objects.values_list("token", "case_id", "weight"))
    withdrawn = Case.objects.get(number=19)
    cases_set_status(case_ids=[withdrawn.pk], status=Case.Status.DRAFT)
    assert set(Champion.objects.values_list("token", "case_id", "weight")) == entries  # nothing written
    assert 19 in listed("融资")
    assert all_numbers("融资") == [number for number in short_lists["融资"] if number != 19]
    cases_set_status(case_ids=[withdrawn.pk], status=Case.Status.PUBLISHED)
    assert set(Champion.objects.values_list("token", "case_id", "weight")) == entries
    assert all_numbers("融资") == short_lists["融资"]


def test_a_deleted_case_leaves_the_lists(short_lists):
    Case.objects.get(number=19).delete()
    assert 19 not in listed("融资")
    assert search_cases(q="融资", page_size=100).count == len(short_lists["融资"]) - 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_postgresql_matches_through_the_index_even_for_a_word_in_every_case():
    """Read row by row, every tsvector would be fetched from TOAST: 25 times slower at 100,000 cases."""
    matches = get_backend().match_ids(parse_query("服务"))
    with get_backend().searching(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {matches.sql}", matches.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan
    assert "search_document_vector_gin" in plan
    with connection.cursor() as cursor:  # the test's transaction goes on: the setting must not
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


def _stored_scores_and_ts_rank(case_ids: list[int]) -> list[tuple[str, int, float, float]]:
    """(token, case id, weight in its champion list, ts_rank of the token alone in the stored vector)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ch.token, ch.case_id, ch.weight, ts_rank(%s, d.vector, quote_literal(ch.token)::tsquery)::float8 "
            "FROM search_champion ch JOIN search_searchdocument d ON d.case_id = ch.case_id WHERE ch.case_id = ANY(%s)",
            [RANK_WEIGHTS, case_ids],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lists hold ts_rank's scores on PostgreSQL")
def test_postgresql_lists_hold_the_score_ts_rank_gives_each_word_alone():
    """So a one-word query is ranked from its list without reading a vector, in the order ts_rank gives."""
    ids = list(Case.objects.values_list("pk", flat=True))
    rows = _stored_scores_and_ts_rank(ids)
    assert len(rows) > 5000  # every token of every case: no list is full at 20 cases
    assert [row for row in rows if row[2] != row[3]] == []
    # A topic renamed rewrites the labels' part of each vector alone; the scores still agree.
    topic = Case.objects.get(number=18).topics.first()
    topic.name = "金融超市服务创新"
    topic.save()
    relabelled = list(topic.cases.values_list("pk", flat=True))
    rows = _stored_scores_and_ts_rank(relabelled)
    assert {"金融", "超市"} <= {token for token, *_ in rows}
    assert [row for row in rows if row[2] != row[3]] == []


def test_a_one_word_query_ranks_its_champions_as_ranking_every_match_would(monkeypatch):
    """On PostgreSQL read from the lists; on SQLite ranked by bm25 among them: either way the exact order."""
    Synonym.objects.update(active=False)
    exact = {q: search_cases(q=q, page_size=100).hits for q in ("服务", "服务 -保险")}
    monkeypatch.setattr(service, "EXACT_RANK_LIMIT", 0)  # every word is common
    assert len(exact["服务"]) > 15
    pages = [search_cases(q="服务", page_size=5, page=page) for page in (1, 2, 3)]
    ranked = [hit for results in pages for hit in results.hits]
    assert [hit.case.number for hit in ranked] == [hit.case.number for hit in exact["服务"][:15]]
    assert [hit.score for hit in ranked] == [hit.score for hit in exact["服务"][:15]]
    excluding = search_cases(q="服务 -保险", page_size=100).hits
    assert [hit.case.number for hit in excluding] == [hit.case.number for hit in exact["服务 -保险"]]
    assert len(excluding) < len(exact["服务"])


def test_a_filtered_one_word_query_keeps_the_exact_order_when_its_list_is_cut(short_lists, monkeypatch):
    """Every case left out of a list scores no more than its floor: the list's cases in a region come first."""
    zhejiang = Region.objects.get(slug="zhejiang")
    monkeypatch.setattr(service, "EXACT_RANK_LIMIT", 1000)
    served = [hit.case.number for hit in search_cases(q="服务", regions=[zhejiang], page_size=100).hits]
    monkeypatch.setattr(type(get_backend()), "lists_hold_scores", False)  # every match ranked from its vector
    exact = [hit.case.number for hit in search_cases(q="服务", regions=[zhejiang], page_size=100).hits]
    assert len(exact) > 3 and served == exact
