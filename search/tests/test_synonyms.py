"""Synonym groups: what the admin accepts, and what a query word is expanded to, at once after an edit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.admin_conflict import stored_digest
from search.index.synonyms import synonyms_of
from search.models import Synonym

pytestmark = pytest.mark.django_db


def test_words_are_normalised_deduplicated_and_any_separator_is_accepted():
    group = Synonym(words="跨境電商、電子商務，电商 电商,\u3000跨境电商")
    group.full_clean()
    assert group.words == "跨境电商 电子商务 电商"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("外籍", "至少需要两个"),
        ("外籍 外籍、外籍", "至少需要两个"),
        ("", "此字段"),
        ("外籍 外国人才证件", "会被切分为"),
        ("外籍 境外!", "标点"),
    ],
)
def test_a_group_needs_two_different_words_each_searchable_as_one_word(words, message):
    with pytest.raises(ValidationError) as error:
        Synonym(words=words).full_clean()
    assert message in " ".join(error.value.message_dict["words"])


def test_the_seeded_groups_come_from_the_cases():
    assert set(synonyms_of("外籍")) >= {"外国", "境外", "海外"}
    assert synonyms_of("报关") == ["通关", "清关"]
    assert synonyms_of("游轮") == ["邮轮"]
    assert Synonym.objects.filter(active=True).count() >= 15
    for group in Synonym.objects.all():
        group.full_clean()  # every seeded word is one word of the query segmentation


def test_a_word_is_looked_up_as_typed_and_unknown_words_have_none():
    assert synonyms_of("  電子商務 ") == ["电商"]
    assert synonyms_of("融资担保") == []
    assert synonyms_of("") == []


def test_a_word_in_two_groups_gets_the_words_of_both_and_an_inactive_group_none():
    Synonym.objects.create(words="外籍 洋")
    Synonym.objects.create(words="外籍 老外", active=False)
    assert "洋" in synonyms_of("外籍") and "老外" not in synonyms_of("外籍")
    assert synonyms_of("洋") == ["外籍"]


def test_an_admin_edit_applies_to_the_next_search_without_reindexing(admin_client):
    group = Synonym.objects.get(words__startswith="报关")
    assert "清关" in synonyms_of("报关")  # now cached
    response = admin_client.post(
        reverse("admin:search_synonym_change", args=[group.pk]),
        {"words": "報關、通关", "note": "", "active": "on", "opened": stored_digest(group)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group.refresh_from_db()
    assert group.words == "报关 通关"
    assert synonyms_of("报关") == ["通关"]
    assert synonyms_of("清关") == []

    admin_client.post(reverse("admin:search_synonym_delete", args=[group.pk]), {"post": "yes"})
    assert synonyms_of("报关") == []


def test_the_admin_refuses_a_word_that_cannot_match_and_says_why(admin_client):
    response = admin_client.post(reverse("admin:search_synonym_add"), {"words": "外籍", "note": "", "active": "on"})
    assert response.status_code == 200
    assert "同义词组至少需要两个不同的词" in response.content.decode()


def test_the_admin_lists_groups_with_chinese_labels_and_finds_them(admin_client):
    html = admin_client.get(reverse("admin:search_synonym_changelist"), {"q": "通关"}).content.decode()
    assert "同义词组" in html
    assert "报关 / 通关 / 清关" in html
    assert "外国 / 外籍" not in html
